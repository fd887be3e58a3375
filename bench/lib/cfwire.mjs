// Centrifugo's unidirectional SSE transport as the load clients see it: the address that
// carries the connect command, and the connect push that opens the stream. Pure functions.

/** The unidirectional SSE address of a node: the connect command (with the token) travels in `cf_connect`. */
export function uniSseUrl(nodeUrl, token) {
  return `${nodeUrl}/connection/uni_sse?cf_connect=${encodeURIComponent(JSON.stringify({ token }))}`;
}

/**
 * The connect push of a Centrifugo uni_sse `data:` payload (the first one: client id, and the
 * server-side subscriptions in `subs`), or null when the payload is something else (a
 * publication, a ping `{}`, a disconnect). Only a connect push is parsed.
 */
export function connectPush(data) {
  const text = data.trimStart();
  return text.startsWith('{"connect":') ? JSON.parse(text).connect : null;
}
