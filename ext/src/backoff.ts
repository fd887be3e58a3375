// Pure reconnect timing.

/** How long a request on the way to a stream (a subscription post, a catch-up, a Centrifugo token) may take before it counts as failed, in ms. */
export const POST_TIMEOUT = 15000;

/** How reconnect delays grow. All values in milliseconds except `factor` and `jitter`. */
export interface BackoffOptions {
  /** First delay. Default 250. */
  min: number;
  /** Ceiling of any delay. Default 10000. */
  max: number;
  /** Growth per failed attempt. Default 2. */
  factor: number;
  /** Share of each delay that is randomised, 0..1: a delay lies between `(1 - jitter) * d` and `d`. Default 0.5. */
  jitter: number;
}

export const defaultBackoff: BackoffOptions = { min: 250, max: 10000, factor: 2, jitter: 0.5 };

/**
 * The delay before reconnect attempt `attempt` (0 for the first): exponential growth from
 * `min`, capped at `max`, with the `jitter` share drawn at random so that many pages cut off
 * by one restart do not come back in the same millisecond.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const base = Math.min(options.max, options.min * options.factor ** attempt);
  return Math.round(base * (1 - options.jitter * random()));
}
