// Ordered delivery, the pure part: who may get a logged send again, what a catch-up answer
// holds, and the envelope extension subscriptions receive. No PocketBase access here.

/** The audience of a logged send, as far as a replay can re-check it. */
export const Scope = {
  /** `everyone` or an anonymous sender: any client that passes the topic's rule. */
  all: '',
  /** A custom filter function: it cannot be re-run later, so the send is never replayed. */
  custom: '!',
} as const;

/**
 * The subscription-key suffix only the extension posts: `topic` + this, URL-encoded options
 * `{"sse":1}` (valid options JSON; PocketBase ignores the unknown field). Keys ending in it
 * get the envelope, every other key (the JS SDK's) gets exactly the sent value.
 */
export const ORDERED_SUFFIX = '?options=%7B%22sse%22%3A1%7D';

/** True when `key` is the extension's ordered key of `topic`. */
export function isOrderedKey(key: string, topic: string): boolean {
  return key.length === topic.length + ORDERED_SUFFIX.length && key.slice(topic.length) === ORDERED_SUFFIX && key.indexOf(topic) === 0;
}

/** The topic an ordered key names, or '' for any other key. */
export function orderedTopic(key: string): string {
  const topic = key.slice(0, key.length - ORDERED_SUFFIX.length);
  return topic && isOrderedKey(key, topic) ? topic : '';
}

/** The envelope of a payload (already one line of JSON): `{"s":seq,"v":payload}`, built without re-encoding. */
export function envelope(seq: number, payload: string): string {
  return '{"s":' + seq + ',"v":' + payload + '}';
}

/** How far back a catch-up reaches, per topic. */
export interface ReplayWindow {
  /** The newest this many sends of a topic are kept. Default 1000. */
  rows: number;
  /** Sends older than this many ms are not replayed. Default 5 minutes. */
  ms: number;
  /**
   * One catch-up answer carries sends of at most this many characters of payload in all (what
   * one request may cost the server); a page further behind resyncs, as beyond `rows`. Default
   * 4,194,304 (a full window of 1,000 fragments of 4 KB).
   */
  chars: number;
}

export const defaultWindow: ReplayWindow = { rows: 1000, ms: 5 * 60 * 1000, chars: 4 << 20 };

/** One logged send as the catch-up reads it. */
export interface LoggedSend {
  seq: number;
  scope: string;
  /** The payload (one line of JSON); '' for custom-filter sends. */
  data: string;
  /** When it was logged (ms since the epoch). */
  at?: number;
}

/** Who asks for a catch-up, as far as the answer depends on it. */
export interface Caller {
  /** Its auth key (`authKey`), '' for a guest. */
  key: string;
  /** When its auth record was created (ms), 0 for a guest or when unknown. */
  bornAt?: number;
  /** True when a topic rule (other than `'public'`) guards the topic. */
  guarded?: boolean;
}

/**
 * The catch-up answer for a caller (`callerKey`: its auth key, '' for a guest) at position
 * `since`, as JSON text: `{"h":head,"x":1 when beyond the window,"r":[[seq,value],[seq]...]}`.
 * `rows` are the logged sends after `since` up to `head`, in order, within the window.
 * Rows of another user's default-filtered sends are left out (the caller could not have got
 * them); so are rows logged before the caller's account existed that were only its own or on a
 * guarded topic (a deleted account's id taken again by a sign-up inherits nothing). Custom-filter
 * rows are listed without a value (the caller may have missed them and nobody can tell). Beyond
 * the window when a row in (since, head] is no longer logged. A caller without a position
 * (`since` < 0) learns only the head. A position beyond the head means the log went back
 * (wiped, or the database restored from an older backup): `x` is 1, the caller resyncs and goes
 * on from the head. `caller` may be given as its auth key alone.
 */
export function catchUpAnswer(since: number, head: number, rows: LoggedSend[], caller: string | Caller): string {
  if (since < 0 || since >= head) return '{"h":' + head + ',"x":' + (since > head ? 1 : 0) + ',"r":[]}';
  const { key, bornAt = 0, guarded = false } = typeof caller === 'string' ? { key: caller } : caller;
  const beyond = rows.length === 0 || rows[0].seq !== since + 1 || rows.length < head - since;
  const parts: string[] = [];
  for (const row of rows) {
    const before = (row.at || 0) < bornAt;
    if (row.scope === Scope.custom) parts.push('[' + row.seq + ']');
    else if ((row.scope === Scope.all && !(guarded && before)) || (key && row.scope === key && !before)) parts.push('[' + row.seq + ',' + row.data + ']');
  }
  return '{"h":' + head + ',"x":' + (beyond ? 1 : 0) + ',"r":[' + parts.join(',') + ']}';
}

/**
 * The heads header of a subscription post: for each posted key in order, the topic's head
 * when it is a kept ordered key, else -1. Comma separated (ASCII, whatever the topic names).
 */
export function headsHeader(posted: string[], kept: string[], heads: Map<string, number>): string {
  return posted
    .map((key) => {
      const topic = orderedTopic(key);
      return topic && kept.indexOf(key) >= 0 ? String(heads.get(topic) || 0) : '-1';
    })
    .join(',');
}
