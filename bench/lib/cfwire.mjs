// Centrifugo's unidirectional SSE transport as the load clients see it: the address that
// carries the connect command, and what each `data:` payload is. Pure functions.

/** The unidirectional SSE address of a node: the connect command (with the token) travels in `cf_connect`. */
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
