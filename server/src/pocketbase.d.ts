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
  requestInfo(): { body: Record<string, unknown> };
  html(status: number, html: string): void;
  noContent(status: number): void;
  next(): void;
}

/** `core.RealtimeSubscribeRequestEvent`. */
export interface SubscribeRequestEvent extends RequestEvent {
  client: RealtimeClient;
  subscriptions: string[];
}

export interface Logger {
  debug(message: string, ...attrs: unknown[]): void;
  info(message: string, ...attrs: unknown[]): void;
  warn(message: string, ...attrs: unknown[]): void;
  error(message: string, ...attrs: unknown[]): void;
}

/** PocketBase's process-wide `store.Store[string, any]` (one lock for the whole store). */
export interface AppStore {
  has(key: string): boolean;
  get(key: string): unknown;
  set(key: string, value: unknown): void;
  remove(key: string): void;
  /** Replaces the value with `fn(old)` under the store's write lock (`old` is null when unset). */
  setFunc(key: string, fn: (old: unknown) => unknown): void;
}

export interface App {
  subscriptionsBroker(): {
    clients(): Record<string, RealtimeClient>;
    totalClients(): number;
    clientById(id: string): RealtimeClient;
    chunkedClients(chunkSize: number): RealtimeClient[][];
  };
  store(): AppStore;
  findCachedCollectionByNameOrId(nameOrId: string): unknown;
  save(model: unknown): void;
  runInTransaction(fn: (txApp: never) => void): void;
  findAuthRecordByToken(token: string, ...validTypes: string[]): AuthRecord;
  logger(): Logger;
}

declare global {
  const $app: App;
  const SubscriptionMessage: new (init: { name: string; data: string }) => unknown;
  const Collection: new (init: Record<string, unknown>) => unknown;
  const Record: new (collection: unknown, data?: Record<string, unknown>) => { markAsNotNew(): void };
  const $security: { randomStringWithAlphabet(length: number, alphabet: string): string };
}
