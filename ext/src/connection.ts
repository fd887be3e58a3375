// One realtime connection to one PocketBase: the stream, its clientId, the posted topic list,
// auth, and reconnects. Knows nothing of htmx or the DOM beyond EventSource and fetch.

import { backoffDelay, type BackoffOptions } from './backoff';

/** What a connection tells its owner. */
export interface ConnectionListener {
  /** The stream is open and the topic list is posted on a fresh clientId. */
  onOpen(clientId: string): void;
  /** A message arrived for a topic (raw SSE data). */
  onMessage(topic: string, raw: string): void;
  /** The stream or a subscription post failed; a reconnect is scheduled. */
  onError(error: unknown): void;
  /** The connection was closed on purpose (no topic left). */
  onClose(): void;
}

/** How a connection reaches PocketBase; the constructors are injectable for tests. */
export interface ConnectionOptions {
  /** PocketBase base URL, without a trailing slash. */
  url: string;
  /** Returns the current auth token ('' for a guest). */
  token: () => string;
  backoff: BackoffOptions;
  EventSource?: typeof EventSource;
  fetch?: typeof fetch;
}

/** Lifecycle of a connection. */
export type ConnectionState = 'idle' | 'connecting' | 'open' | 'waiting' | 'closed';

/**
 * Owns one EventSource to `/api/realtime` and keeps PocketBase's subscription set equal to
 * the topics its owner asks for. Topic changes in one tick are posted once; every reconnect
 * (new clientId) posts the whole list again; each topic has exactly one listener on the
 * current stream, so each message is delivered once.
 */
export class RealtimeConnection {
  state: ConnectionState = 'idle';
  clientId = '';

  private source: EventSource | null = null;
  private topics = new Set<string>();
  private listening = new Set<string>();
  private boundToken = '';
  private attempt = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private postQueued = false;
  private posting = false;

  constructor(
    private readonly options: ConnectionOptions,
    private readonly listener: ConnectionListener,
  ) {}

  // ---- public API -------------------------------------------------------

  /** Replaces the wanted topic list; opens, re-posts or closes the connection as needed. */
  setTopics(topics: Iterable<string>): void {
    this.topics = new Set(topics);
    if (this.topics.size === 0) {
      this.close();
      return;
    }
    if (this.state === 'idle' || this.state === 'closed') {
      this.connect();
      return;
    }
    this.syncListeners();
    this.queuePost();
  }

  /** Renews the connection when the user's token differs from the one PocketBase bound. */
  checkAuth(): void {
    if (this.state !== 'open') return;
    if (this.options.token() !== this.boundToken) this.reconnect(0);
  }

  /** Reconnects now (e.g. when the browser comes back online). */
  reconnectNow(): void {
    if (this.state === 'waiting') this.reconnect(0);
  }

  /** Closes the stream for good (until topics are set again). */
  close(): void {
    if (this.state === 'idle' || this.state === 'closed') return;
    this.teardown();
    this.state = 'closed';
    this.listener.onClose();
  }

  // ---- stream -----------------------------------------------------------

  private connect(): void {
    this.teardown();
    this.state = 'connecting';
    const ES = this.options.EventSource || EventSource;
    const source = new ES(this.options.url + '/api/realtime');
    this.source = source;
    source.addEventListener('PB_CONNECT', (event) => this.onConnect(event as MessageEvent));
    source.onerror = () => this.fail(new Error('realtime stream failed'));
    this.syncListeners();
  }

  private onConnect(event: MessageEvent): void {
    let clientId = '';
    try {
      clientId = JSON.parse(event.data).clientId || '';
    } catch {
      // handled below
    }
    if (!clientId) {
      this.fail(new Error('PB_CONNECT without a clientId'));
      return;
    }
    this.clientId = clientId;
    this.boundToken = '';
    this.queuePost();
  }

  private readonly onTopicMessage = (event: Event): void => {
    const message = event as MessageEvent;
    if (message.target === this.source) this.listener.onMessage(message.type, String(message.data));
  };

  /** Keeps exactly one listener per wanted topic on the current stream. */
  private syncListeners(): void {
    const source = this.source;
    if (!source) return;
    for (const topic of this.listening) {
      if (!this.topics.has(topic)) {
        source.removeEventListener(topic, this.onTopicMessage);
        this.listening.delete(topic);
      }
    }
    for (const topic of this.topics) {
      if (!this.listening.has(topic)) {
        source.addEventListener(topic, this.onTopicMessage);
        this.listening.add(topic);
      }
    }
  }

  private teardown(): void {
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    if (this.source) {
      this.source.onerror = null;
      this.source.close();
    }
    this.source = null;
    this.listening.clear();
    this.clientId = '';
    this.boundToken = '';
  }

  private fail(error: unknown): void {
    if (this.state === 'closed' || this.state === 'idle') return;
    this.teardown();
    this.state = 'waiting';
    this.listener.onError(error);
    this.reconnect(backoffDelay(this.attempt++, this.options.backoff));
  }

  private reconnect(delay: number): void {
    this.teardown();
    this.state = 'waiting';
    this.retryTimer = setTimeout(() => this.connect(), delay);
  }

  // ---- subscription post ------------------------------------------------

  /** Posts once per tick however many topic changes the tick made. */
  private queuePost(): void {
    if (this.postQueued) return;
    this.postQueued = true;
    queueMicrotask(() => {
      this.postQueued = false;
      void this.post();
    });
  }

  private async post(): Promise<void> {
    if (!this.clientId || this.posting) {
      if (this.posting) this.postQueued = true; // re-posted when the current post ends
      return;
    }
    this.posting = true;
    const clientId = this.clientId;
    const token = this.options.token();
    const wasOpen = this.state === 'open';
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    if (token) headers.Authorization = token;
    try {
      const doFetch = this.options.fetch || fetch;
      const response = await doFetch(this.options.url + '/api/realtime', {
        method: 'POST',
        headers,
        body: JSON.stringify({ clientId, subscriptions: Array.from(this.topics) }),
        credentials: 'omit',
      });
      if (clientId !== this.clientId) return; // the stream was replaced meanwhile
      if (response.status === 403 && wasOpen) {
        this.reconnect(0); // the token changed: PocketBase refuses a new auth on a bound client
        return;
      }
      if (!response.ok) throw new Error('subscription post answered ' + response.status);
      this.boundToken = token;
      this.attempt = 0;
      if (!wasOpen) {
        this.state = 'open';
        this.listener.onOpen(clientId);
      }
    } catch (error) {
      if (clientId === this.clientId) this.fail(error);
    } finally {
      this.posting = false;
      if (this.postQueued && clientId === this.clientId) {
        this.postQueued = false;
        this.queuePost();
      }
    }
  }
}
