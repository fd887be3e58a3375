// Pure reconnect timing.

/** How reconnect delays grow. All values in milliseconds except `factor` and `jitter`. */
export interface BackoffOptions {
  /** First delay. Default 250. */
  min: number;
  /** Ceiling of any delay. Default 10000. */
  max: number;
  /** Growth per failed attempt. Default 2. */
  factor: number;
  /** Share of each delay that is randomised, 0..1. Default 0.5. */
  jitter: number;
}

export const defaultBackoff: BackoffOptions = { min: 250, max: 10000, factor: 2, jitter: 0.5 };

/**
 * The delay before reconnect attempt `attempt` (0 for the first): exponential growth from
 * `min`, capped at `max`, with the `jitter` share drawn at random so that many pages cut off
 * by one restart do not come back in the same millisecond.
 */
export function backoffDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const base = Math.min(options.max, options.min * Math.pow(options.factor, Math.max(0, attempt)));
  const jitter = Math.min(1, Math.max(0, options.jitter));
  return Math.round(base * (1 - jitter) + base * jitter * random());
}
