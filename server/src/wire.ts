// The wire contract: what goes on PocketBase's stream, checked before anything is sent.

/** PocketBase refuses longer topic keys. */
export const MAX_TOPIC_LENGTH = 2500;

/**
 * Control characters (C0, DEL, C1). PocketBase writes a subscription key unescaped as the SSE
 * `event:` line, so a CR or LF in one would start a forged event; none of them belongs in a key.
 */
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/** Thrown for input the kit refuses; the message names the cause. */
export class SseError extends Error {
  constructor(message: string) {
    super('pocketpages-plugin-sse: ' + message);
    this.name = 'SseError';
  }
}

/** Checks a topic name; throws an SseError that says what is wrong. */
export function checkTopic(topic: unknown): string {
  if (typeof topic !== 'string') throw new SseError('topic must be a string, got ' + typeOf(topic));
  if (topic.length === 0) throw new SseError('topic must not be empty');
  if (topic.length > MAX_TOPIC_LENGTH) throw new SseError('topic is longer than ' + MAX_TOPIC_LENGTH + ' characters');
  if (topic.indexOf('?') >= 0) throw new SseError('topic must not contain "?" (PocketBase reserves it for options): ' + topic.slice(0, 80));
  if (CONTROL_CHARACTER.test(topic)) throw new SseError('topic must not contain line breaks or other control characters');
  return topic;
}

/**
 * Encodes a value as one line of JSON. JSON.stringify escapes CR and LF inside strings, so
 * the result can never end an SSE data field early; U+2028/2029 are escaped as well.
 * Values JSON cannot represent (undefined, functions, symbols, cycles, BigInt) are refused.
 */
export function encodePayload(value: unknown): string {
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') {
    throw new SseError('message must be a string or JSON value, got ' + typeOf(value));
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    throw new SseError('message cannot be encoded as JSON: ' + String(error));
  }
  if (json === undefined) throw new SseError('message cannot be encoded as JSON');
  return json.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A short type name for error messages. */
export function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
