// The ways a broadcast reaches its subscribers, each triggered by one HTTP request from the
// driver. The send time stamped into the fragment is taken just before that request, so every
// strategy's latency includes the same request overhead.

import { fragment } from './wire.mjs';
import { nowMs } from './stats.mjs';

/** Strategy names, in report order. */
export const STRATEGIES = ['kit', 'kit-ordered', 'kit-capture', 'naive', 'native'];

/** Prototype send loops of the bench app, measured in the fan-out next to the kit. */
export const PROTOTYPES = ['kit-fast'];

/**
 * The topic the kit's strategies send on. It names no collection, so (as in an app whose topics
 * are not collection names) its idle recipients are handed their message directly. The others
 * send on `chat`: native's record broadcast needs a collection, and a loop calling
 * `client.send` outside the kit makes every client it reaches one the kit never hands anything
 * directly again (see server/src/engines/direct.ts), so they get subscribers of their own.
 */
export const KIT_TOPIC = 'room';

/** The topic `strategy` sends on (its subscribers are held apart from the other topic's: see `KIT_TOPIC`). */
export function topicOf(strategy) {
  return strategy.startsWith('kit') && strategy !== 'kit-fast' ? KIT_TOPIC : 'chat';
}

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
 * returns `{ ok, status, ms, timedOut, error, direct }` (`direct`: whether the kit handed every
 * recipient its message itself, from `sseSend`'s answer; null where the route does not say).
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
    const body = await res.text();
    return { ok: res.ok, status: res.status, ms: nowMs() - t, timedOut: false, direct: directOf(body) };
  } catch (error) {
    const timedOut = error.name === 'TimeoutError' || error.name === 'AbortError';
    return { ok: false, status: 0, ms: nowMs() - t, timedOut, error: timedOut ? 'timeout' : String(error.cause?.code || error.message) };
  }
}

/** The `direct` of an `sseSend` result answered as JSON, else null. */
function directOf(body) {
  try {
    const parsed = JSON.parse(body);
    return typeof parsed?.direct === 'boolean' ? parsed.direct : null;
  } catch {
    return null;
  }
}
