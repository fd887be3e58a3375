// Pure decoding of what arrives on the stream (the wire contract).

/** A message as the extension hands it to swaps and events. */
export interface DecodedMessage {
  /** The decoded value: the unwrapped string, or the parsed JSON object/array/number/null. */
  data: unknown;
  /** The HTML to swap, or null when the value is not something to swap (objects, arrays, null). */
  html: string | null;
}

/**
 * Decodes one SSE data field. The server kit sends one line of JSON; a JSON string is
 * unwrapped to its HTML, numbers and booleans swap as text, objects, arrays and null are
 * not swapped. Data that is not JSON at all (sent by someone else) is swapped as raw text.
 */
export function decodePayload(raw: string): DecodedMessage {
  try {
    return decodeValue(JSON.parse(raw));
  } catch {
    return { data: raw, html: raw };
  }
}

/** A decoded JSON value as a message: strings, numbers and booleans swap as text, the rest does not. */
export function decodeValue(data: unknown): DecodedMessage {
  return { data, html: typeof data == 'object' ? null : String(data) }; // typeof null is 'object' too
}
