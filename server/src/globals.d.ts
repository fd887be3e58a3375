// The JS VM globals the kit's own code uses. Not shipped: an app has PocketBase's own
// declarations (pb_data/types.d.ts), which these must not clash with.
import type { App } from './pocketbase';

declare global {
  const $app: App;
  const SubscriptionMessage: new (init: { name: string; data: string }) => unknown;
  const Collection: new (init: Record<string, unknown>) => unknown;
  const Record: new (collection: unknown, data?: Record<string, unknown>) => { markAsNotNew(): void };
  const DynamicModel: new (shape: Record<string, unknown>) => unknown;
  function arrayOf(model: unknown): unknown;
  /** Pauses the calling goroutine (PocketBase's JS VM global; absent in unit tests). */
  const sleep: ((milliseconds: number) => void) | undefined;
  const $security: {
    randomString(length: number): string;
    randomStringWithAlphabet(length: number, alphabet: string): string;
    parseUnverifiedJWT(token: string): Record<string, unknown>;
    createJWT(payload: Record<string, unknown>, signingKey: string, secDuration: number): string;
  };
  const $http: {
    send(config: { url: string; method?: string; body?: string; headers?: Record<string, string>; timeout?: number }): {
      statusCode: number;
      json: unknown;
    };
  };
}
