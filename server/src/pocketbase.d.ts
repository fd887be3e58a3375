// The slice of PocketBase's JS VM globals the kit uses (see PocketBase's generated types.d.ts).

/** A realtime client as the JS VM exposes `subscriptions.Client`. */
export interface RealtimeClient {
  id(): string;
  subscriptions(...prefixes: string[]): Record<string, unknown>;
  hasSubscription(topic: string): boolean;
  subscribe(...topics: string[]): void;
  unsubscribe(...topics: string[]): void;
  get(key: string): unknown;
  set(key: string, value: unknown): void;
  unset(key: string): void;
  send(message: unknown): void;
  discard(): void;
  isDiscarded(): boolean;
}

/** The parts of `core.Record` the kit reads. */
export interface AuthRecord {
  id: string;
  collection(): { id: string; name: string };
  isSuperuser(): boolean;
}

/** The parts of `core.RequestEvent` the kit reads. */
export interface RequestEvent {
  auth: AuthRecord | null | undefined;
  request: {
    method: string;
    host: string;
    url: { path: string };
    header: { get(name: string): string };
    cookie(name: string): { value: string };
  };
  requestInfo(): { body: Record<string, unknown>; query: Record<string, string> };
  response: { header(): { set(name: string, value: string): void } };
  json(status: number, body: unknown): void;
  blob(status: number, contentType: string, bytes: string): void;
  html(status: number, html: string): void;
  noContent(status: number): void;
  next(): void;
}

/** `core.RealtimeSubscribeRequestEvent`. */
export interface SubscribeRequestEvent extends RequestEvent {
  /** The embedded request event (its `response` is only reachable through it). */
  requestEvent?: RequestEvent;
  client: RealtimeClient;
  subscriptions: string[];
}

export interface Logger {
  debug(message: string, ...attrs: unknown[]): void;
  info(message: string, ...attrs: unknown[]): void;
  warn(message: string, ...attrs: unknown[]): void;
  error(message: string, ...attrs: unknown[]): void;
}

export interface App {
  subscriptionsBroker(): {
    clients(): Record<string, RealtimeClient>;
    totalClients(): number;
    clientById(id: string): RealtimeClient;
    chunkedClients(chunkSize: number): RealtimeClient[][];
  };
  findCachedCollectionByNameOrId(nameOrId: string): unknown;
  save(model: unknown): void;
  runInTransaction(fn: (txApp: never) => void): void;
  findAuthRecordByToken(token: string, ...validTypes: string[]): AuthRecord;
  logger(): Logger;
  db(): import('./journal').Db;
  isTransactional(): boolean;
  store(): { get(key: string): unknown; set(key: string, value: unknown): void };
}

declare global {
  const $app: App;
  const SubscriptionMessage: new (init: { name: string; data: string }) => unknown;
  const Collection: new (init: Record<string, unknown>) => unknown;
  const Record: new (collection: unknown, data?: Record<string, unknown>) => { markAsNotNew(): void };
  const DynamicModel: new (shape: Record<string, unknown>) => unknown;
  function arrayOf(model: unknown): unknown;
  const $security: { randomStringWithAlphabet(length: number, alphabet: string): string };
}
