// The Centrifugo engine's configuration: checked once, kept in the process-wide `$app.store()`
// so that every hook VM (each runs its own JS) sees the same engine.

import { SseError } from '../wire';

/** `engine: { centrifugo: {...} }`: where the kit publishes, and what its tokens hold. */
export interface CentrifugoOptions {
  /** Centrifugo's server HTTP API base as PocketBase reaches it, e.g. `http://127.0.0.1:8000/api`. */
  apiUrl: string;
  /** Centrifugo's `http_api.key`. */
  apiKey: string;
  /** Centrifugo's `client.token.hmac_secret_key`: the connection tokens the kit mints are HS256 with it. */
  tokenSecret: string;
  /** Centrifugo's address as browsers reach it (its `/connection/uni_sse` is under it); the token route answers it. */
  url: string;
  /** The channel namespace the kit's channels live in (`<namespace>:<topic>`). Default `sse`. */
  namespace?: string;
  /** Lifetime of a connection token in seconds (10 to 2,592,000); the page renews it before it ends. Default 300. */
  tokenTtl?: number;
  /** Timeout of one publish request in seconds. Default 5. */
  timeout?: number;
}

/** The options with every default filled in. */
export type CentrifugoConfig = Required<CentrifugoOptions>;

/** What the plugin and `configure()` take. */
export interface EngineOptions {
  centrifugo?: CentrifugoOptions;
}

/** `$app.store()` key of the engine in force (absent: PocketBase's realtime). */
export const ENGINE_KEY = 'pbsse.engine';

const NAMESPACE = /^[A-Za-z0-9_-]{1,64}$/;

function required(options: Record<string, unknown>, name: string): string {
  const value = options[name];
  if (typeof value !== 'string' || !value) throw new SseError('engine.centrifugo.' + name + ' must be a non-empty string');
  return value;
}

/** The longest connection token the kit mints, in seconds (30 days; see `centrifugoConfig`). */
export const MAX_TOKEN_TTL = 30 * 24 * 3600;

/** Checks the options and fills in defaults; throws an SseError naming what is wrong. */
export function centrifugoConfig(options: CentrifugoOptions): CentrifugoConfig {
  if (!options || typeof options !== 'object') throw new SseError('engine.centrifugo must be an object');
  const raw = options as unknown as Record<string, unknown>;
  const config: CentrifugoConfig = {
    apiUrl: required(raw, 'apiUrl').replace(/\/+$/, ''),
    apiKey: required(raw, 'apiKey'),
    tokenSecret: required(raw, 'tokenSecret'),
    url: required(raw, 'url').replace(/\/+$/, ''),
    namespace: options.namespace === undefined ? 'sse' : options.namespace,
    tokenTtl: options.tokenTtl === undefined ? 300 : options.tokenTtl,
    timeout: options.timeout === undefined ? 5 : options.timeout,
  };
  if (!NAMESPACE.test(config.namespace)) throw new SseError('engine.centrifugo.namespace must be 1-64 of A-Z a-z 0-9 _ -');
  if (!(config.tokenTtl >= 10)) throw new SseError('engine.centrifugo.tokenTtl must be at least 10 seconds');
  // the page renews at 80% of it with one timer: a browser fires a delay past 2^31 ms at once, so a longer ttl would renew in a loop
  if (!(config.tokenTtl <= MAX_TOKEN_TTL)) throw new SseError('engine.centrifugo.tokenTtl must be at most ' + MAX_TOKEN_TTL + ' seconds (30 days)');
  if (!(config.timeout > 0)) throw new SseError('engine.centrifugo.timeout must be positive');
  if (config.tokenSecret.length < 32) throw new SseError('engine.centrifugo.tokenSecret must have at least 32 characters');
  return config;
}

/**
 * Sets the engine for the whole process: `{ centrifugo: {...} }`, or nothing to go back to
 * PocketBase's realtime. Call it from a pb_hooks file's top level, or give the PocketPages
 * plugin `engine`. Returns the configuration in force (null: PocketBase).
 */
export function configureEngine(engine: EngineOptions | null | undefined): CentrifugoConfig | null {
  if (!engine || !engine.centrifugo) {
    $app.store().remove(ENGINE_KEY);
    return null;
  }
  const config = centrifugoConfig(engine.centrifugo);
  const text = JSON.stringify(config);
  if ($app.store().get(ENGINE_KEY) !== text) $app.store().set(ENGINE_KEY, text);
  return config;
}

let lastText = '';
let lastConfig: CentrifugoConfig | null = null;

/** The Centrifugo configuration in force, or null when sends go over PocketBase's realtime. */
export function centrifugoInForce(): CentrifugoConfig | null {
  const text = $app.store().get(ENGINE_KEY);
  if (typeof text !== 'string' || !text) return null;
  if (text !== lastText) {
    lastConfig = JSON.parse(text) as CentrifugoConfig;
    lastText = text;
  }
  return lastConfig;
}

/** What `configure()` takes: the whole kit's settings that live outside any one hook. */
export interface KitOptions {
  /** The engine sends go through: `{ centrifugo: {...} }`; absent or null: PocketBase's realtime. */
  engine?: EngineOptions | null;
}

/** Configures the kit for the whole process (call it from a pb_hooks file's top level). */
export function configure(options: KitOptions): { engine: CentrifugoConfig | null } {
  return { engine: configureEngine(options ? options.engine : null) };
}
