// Centrifugo connection tokens for the load clients: HS256 JWTs signed with the cluster's token
// secret, whose `subs` claim subscribes the connection server-side with recovery on (the shape
// of the tokens the kit mints for pages). Pure functions.

import { createHmac } from 'node:crypto';

const b64url = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * A connection token for user `sub` that holds `channels` (server-side subscriptions, recovery
 * forced on), valid for `ttlSeconds` (default one hour), signed with `secret`.
 */
export function connectionToken({ secret, sub, channels, ttlSeconds = 3600 }) {
  const head = b64url({ alg: 'HS256', typ: 'JWT' });
  const subs = Object.fromEntries(channels.map((c) => [c, { override: { force_recovery: { value: true } } }]));
  const body = b64url({ sub, subs, exp: Math.floor(Date.now() / 1000) + ttlSeconds });
  const signature = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${signature}`;
}

/** The unidirectional SSE address of a node: the connect command travels in `cf_connect`. */
export function uniSseUrl(nodeUrl, token) {
  return `${nodeUrl}/connection/uni_sse?cf_connect=${encodeURIComponent(JSON.stringify({ token }))}`;
}

/**
 * What a Centrifugo uni_sse `data:` payload is: `{ connect }` (the first, with the server-side
 * subscriptions in `connect.subs`), `{ publication }` (a publication's JSON text, unparsed), or
 * `{ other }` (pings `{}`, disconnects and the rest). Cheap: only the connect push is parsed.
 */
export function classifyPush(data) {
  const text = data.trimStart();
  if (text.startsWith('{"connect":')) return { connect: JSON.parse(text).connect };
  if (text.startsWith('{"channel":') && text.includes('"pub":')) return { publication: text };
  return { other: text };
}
