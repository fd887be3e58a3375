// The slice of PocketBase's JS VM types the kit uses (see PocketBase's generated types.d.ts).
// Shipped with the package's types; the VM's globals themselves are declared in globals.d.ts.

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
  /** A field as text (`created`: `2024-01-02 03:04:05.678Z`). */
  getString(field: string): string;
}

/** The parts of `core.RequestEvent` the kit reads. */
export interface RequestEvent {
  auth: AuthRecord | null | undefined;
  request: {
    method: string;
    host: string;
    /** TLS state when PocketBase terminates TLS itself, else null. */
    tls?: unknown;
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

/** `$app.logger()`: PocketBase's structured logger. */
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
  /** Every key (a copy). */
  keys(): string[];
  /** How many keys it holds. */
  length(): number;
  /** Replaces the value with `fn(old)` under the store's write lock (`old` is null when unset). */
  setFunc(key: string, fn: (old: unknown) => unknown): void;
}

/** The parts of `core.App` (`$app`, or a transaction's app) the kit uses. */
export interface App {
  subscriptionsBroker(): {
    clients(): Record<string, RealtimeClient>;
    totalClients(): number;
    clientById(id: string): RealtimeClient;
    chunkedClients(chunkSize: number): RealtimeClient[][];
    unregister(clientId: string): void;
  };
  store(): AppStore;
  findCachedCollectionByNameOrId(nameOrId: string): unknown;
  save(model: unknown): void;
  runInTransaction(fn: (txApp: never) => void): void;
  findAuthRecordByToken(token: string, ...validTypes: string[]): AuthRecord;
  logger(): Logger;
  db(): import('./journal').Db;
  /** The read pool (outside a transaction: committed rows only, never waiting for the writer). */
  concurrentDB(): import('./journal').Db;
  /** The writer: a `dbx.Tx` inside a main transaction (it has `commit`), else the database. */
  nonconcurrentDB(): unknown;
  isTransactional(): boolean;
}
