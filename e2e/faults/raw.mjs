// A raw realtime subscriber over node:http: reads PocketBase's SSE stream itself, posts its
// topics on every PB_CONNECT, counts what arrives, and (optionally) reconnects when the stream
// ends. Bounded: at most `maxAttempts` reconnects, each after at most 1 s.
import http from 'node:http';

/** A realtime client of `url` subscribed to `topics`, as bare as the protocol allows. */
export class RawSubscriber {
  constructor(url, topics, { token = '', reconnect = true, maxAttempts = 60 } = {}) {
    Object.assign(this, { url, topics, token, reconnect, maxAttempts });
    this.messages = []; // { topic, data, clientId }
    this.clientIds = [];
    this.clientId = '';
    this.subscribed = false;
    this.attempts = 0;
    this.closed = false;
    this.connect();
  }

  connect() {
    this.subscribed = false;
    this.clientId = '';
    this.request = http.get(this.url + '/api/realtime', { agent: false }, (res) => {
      this.response = res;
      res.setEncoding('utf8');
      let buffer = '';
      res.on('data', (chunk) => {
        buffer += chunk;
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          this.event(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      });
      res.on('end', () => this.lost());
      res.on('error', () => this.lost());
    });
    this.request.on('error', () => this.lost());
  }

  event(block) {
    const fields = { event: 'message', data: '' };
    for (const line of block.split('\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) fields[line.slice(0, colon)] = line.slice(colon + 1);
    }
    if (fields.event === 'PB_CONNECT') {
      this.clientId = JSON.parse(fields.data).clientId;
      this.clientIds.push(this.clientId);
      void this.subscribe(this.clientId);
    } else this.messages.push({ topic: fields.event, data: fields.data, clientId: this.clientId });
  }

  async subscribe(clientId) {
    const headers = { 'Content-Type': 'application/json' };
    if (this.token) headers.Authorization = this.token;
    try {
      const res = await fetch(this.url + '/api/realtime', {
        method: 'POST', headers, body: JSON.stringify({ clientId, subscriptions: this.topics }),
      });
      if (res.status === 204 && clientId === this.clientId) {
        this.subscribed = true;
        this.attempts = 0;
      }
    } catch {
      // the stream's end reconnects
    }
  }

  lost() {
    if (this.closed || this.pending) return;
    this.subscribed = false;
    this.response?.destroy();
    if (!this.reconnect || ++this.attempts > this.maxAttempts) return;
    this.pending = setTimeout(() => {
      this.pending = null;
      if (!this.closed) this.connect();
    }, Math.min(1000, 100 * this.attempts));
  }

  /** Stops reading the stream for good (the socket stays open): a stalled subscriber. */
  stall() {
    this.reconnect = false;
    this.response.pause();
  }

  /** Reads the stream again after `stall()`, and reconnects when it ends. */
  resume() {
    this.reconnect = true;
    this.response.resume();
  }

  /** The data of every message on `topic`, in arrival order. */
  received(topic) {
    return this.messages.filter((m) => m.topic === topic).map((m) => m.data);
  }

  /** Closes the stream and stops reconnecting. */
  close() {
    this.closed = true;
    clearTimeout(this.pending);
    this.request?.destroy();
    this.response?.destroy();
  }
}
