// The connection factory of the Centrifugo bundle: the build swaps it in for `connection.js`
// where the extension core imports it, so the core stays as it is. `configure({ engine })`
// picks per hub: 'centrifugo' (this bundle's default) or 'pocketbase'.

import { config } from './config.js';
import { createConnection as createPocketBaseConnection, type ConnectionListener, type ConnectionOptions, type RealtimeConnection } from './connection.js';
import { createUniConnection } from './uni-sse.js';

export type { ConnectionListener, ConnectionOptions, RealtimeConnection } from './connection.js';
export { ORDERED_SUFFIX } from './connection.js';

/** Opens a Centrifugo connection, or a PocketBase one when `engine` says so. */
export function createConnection(options: ConnectionOptions, listener: ConnectionListener): RealtimeConnection {
  if (config.engine == 'pocketbase') return createPocketBaseConnection(options, listener);
  return createUniConnection({ ...options, centrifugo: () => config.centrifugoUrl || '' }, listener);
}
