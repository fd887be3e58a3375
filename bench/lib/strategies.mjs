// The four ways a message reaches the `chat` subscribers, each triggered by one HTTP request
// from the driver. The send time stamped into the fragment is taken just before that request,
// so every strategy's latency includes the same request overhead.

import { fragment } from './wire.mjs';
import { nowMs } from './stats.mjs';

/** Strategy names, in report order. */
export const STRATEGIES = ['kit', 'kit-ordered', 'kit-capture', 'naive', 'native'];

/** Prototype send loops of the bench app, measured in the fan-out next to the kit. */
export const PROTOTYPES = ['kit-fast'];

const paths = {
  kit: '/bench/kit',
  'kit-ordered': '/bench/kit-ordered',
  'kit-capture': '/bench/kit-capture',
  naive: '/bench/naive',
  'kit-fast': '/bench/kit-fast',
  native: '/api/collections/chat/records',
  // the centrifugo section's, on a PocketBase configured for the cluster (sends to `sse:chat`)
  'cf-kit': '/bench/cf-kit',
  'cf-http': '/bench/cf-http',
};

/**
 * Sends message `seq` with `strategy`. Never throws and never waits longer than `timeoutMs`:
 * returns `{ ok, status, ms, timedOut, error }`.
 */
export async function sendOnce(url, strategy, seq, timeoutMs = 10000) {
  const path = paths[strategy];
  if (!path) throw new Error(`unknown strategy "${strategy}" (known: ${Object.keys(paths).join(', ')})`);
  const t = nowMs();
  try {
    const res = await fetch(url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ html: fragment(seq, t) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer();
    return { ok: res.ok, status: res.status, ms: nowMs() - t, timedOut: false };
  } catch (error) {
    const timedOut = error.name === 'TimeoutError' || error.name === 'AbortError';
    return { ok: false, status: 0, ms: nowMs() - t, timedOut, error: timedOut ? 'timeout' : String(error.cause?.code || error.message) };
  }
}
