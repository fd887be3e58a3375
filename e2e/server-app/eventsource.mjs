// A small EventSource for Node 20 (which has none), over fetch streaming: just what the
// PocketBase JS SDK uses (addEventListener/removeEventListener, onerror, close, lastEventId),
// so the real SDK can be an independent realtime client in the tests.

/** An EventSource-compatible client for `text/event-stream` over fetch. */
export class NodeEventSource {
  /** Opens the stream at `url`; extra request headers may be given for tests. */
  constructor(url, { headers = {} } = {}) {
    this.url = String(url);
    this.readyState = 0;
    this.onerror = null;
    this.onopen = null;
    this.listeners = new Map();
    this.controller = new AbortController();
    this.done = this.run(headers).catch((error) => {
      if (this.readyState === 2) return;
      this.readyState = 2;
      this.onerror?.({ type: 'error', error });
    });
  }

  addEventListener(name, fn) {
    if (!this.listeners.has(name)) this.listeners.set(name, new Set());
    this.listeners.get(name).add(fn);
  }

  removeEventListener(name, fn) {
    this.listeners.get(name)?.delete(fn);
  }

  /** Stops reading and drops the connection. */
  close() {
    this.readyState = 2;
    this.controller.abort();
  }

  async run(headers) {
    const res = await fetch(this.url, { headers: { Accept: 'text/event-stream', ...headers }, signal: this.controller.signal });
    if (!res.ok || !res.body) throw new Error(`EventSource: ${this.url} answered ${res.status}`);
    this.readyState = 1;
    this.onopen?.({ type: 'open' });
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk, { stream: true });
      let end;
      while ((end = buffer.search(/\r\n\r\n|\n\n|\r\r/)) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + (buffer.startsWith('\r\n\r\n', end) ? 4 : 2));
        this.dispatch(block);
      }
    }
    if (this.readyState !== 2) throw new Error('EventSource: stream ended');
  }

  dispatch(block) {
    let name = 'message';
    const data = [];
    for (const line of block.split(/\r\n|\n|\r/)) {
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      let value = colon < 0 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') name = value;
      else if (field === 'data') data.push(value);
      else if (field === 'id') this.lastEventId = value;
    }
    if (data.length === 0) return;
    const event = { type: name, data: data.join('\n'), lastEventId: this.lastEventId || '' };
    for (const fn of this.listeners.get(name) || []) fn(event);
  }
}

/** Makes the shim the global EventSource when Node has none (the SDK looks it up globally). */
export function installEventSource() {
  if (typeof globalThis.EventSource === 'undefined') globalThis.EventSource = NodeEventSource;
}
