// A raw realtime subscriber that does what the extension does for ordered delivery: it
// subscribes with the extension's ordered key, starts at the head the subscription answers,
// puts each `{"s","v"}` envelope through the extension's own ordering logic (its built module),
// asks the catch-up route for gaps and after each reconnect, and records what it applied.
import { RawSubscriber } from './raw.mjs';
import { createOrder } from '../../.build/ext/order.mjs';
import { ORDERED_SUFFIX } from '../../.build/ext/connection.mjs';

export { ORDERED_SUFFIX };

/** A raw subscriber of one topic on the ordered key. `applied` is what it would swap, in order. */
export class OrderedSubscriber extends RawSubscriber {
  constructor(url, topic, options = {}) {
    super(url, [topic + ORDERED_SUFFIX], options);
    this.topic = topic;
    this.applied = []; // values, in the order applied
    this.resyncs = 0;
    this.asked = 0;
    this.order = createOrder(
      (value) => this.applied.push(value),
      (since) => this.ask(since),
      () => this.resyncs++,
    );
  }

  event(block) {
    const before = this.messages.length;
    super.event(block);
    if (this.messages.length === before) return; // PB_CONNECT
    const envelope = JSON.parse(this.messages[before].data);
    this.order._push(envelope.s, envelope.v);
  }

  async subscribe(clientId) {
    const headers = { 'Content-Type': 'application/json' };
    if (this.token) headers.Authorization = this.token;
    try {
      const res = await fetch(this.url + '/api/realtime', { method: 'POST', headers, body: JSON.stringify({ clientId, subscriptions: this.topics }) });
      if (res.status !== 204 || clientId !== this.clientId) return;
      this.subscribed = true;
      this.attempts = 0;
      // as the extension: a new topic starts at the head answered, a reconnect (new clientId) catches up
      this.order._subscribed(res.headers.get('x-sse-heads')?.split(',')[0], true);
    } catch {
      // the stream's end reconnects
    }
  }

  /** The catch-up answer after `since` (the order takes it, or resyncs when this fails). */
  async ask(since) {
    this.asked++;
    const headers = this.token ? { Authorization: this.token } : {};
    const res = await fetch(`${this.url}/api/sse/catchup?topic=${encodeURIComponent(this.topic)}&since=${since}`, { headers });
    if (!res.ok) throw new Error('catch-up ' + res.status);
    return res.json();
  }
}

/**
 * Compares what a subscriber applied with the commit order: `{reordered, duplicated, lost}`
 * (reordered: applied values whose commit position is lower than the one applied before them).
 */
export function against(committed, applied) {
  const position = new Map(committed.map((value, i) => [value, i]));
  const seen = new Set();
  let reordered = 0;
  let duplicated = 0;
  let last = -1;
  for (const value of applied) {
    if (seen.has(value)) duplicated++;
    seen.add(value);
    const at = position.has(value) ? position.get(value) : -1;
    if (at < last) reordered++;
    last = Math.max(last, at);
  }
  return { reordered, duplicated, lost: committed.filter((value) => !seen.has(value)).length };
}
