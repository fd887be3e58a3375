// Handing one message to one client.

import type { RealtimeClient } from './pocketbase';

/**
 * Hands a message to a client. Returns false when the client was skipped.
 * (Naive for now: `client.send` blocks while the client is not reading.)
 */
export function deliver(client: RealtimeClient, message: unknown): boolean {
  if (client.isDiscarded()) return false;
  client.send(message);
  return true;
}
