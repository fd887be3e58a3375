// Starts a small Centrifugo cluster on loopback for tests and benchmarks: one redis-server
// (no persistence) as the shared engine, and N Centrifugo nodes using it, each on its own free
// 127.0.0.1 port with a generated config in a temp folder. Why Redis: Centrifugo's Redis engine
// keeps channel history in Redis, so a page that reconnects to ANOTHER node still recovers what
// it missed; Centrifugo's NATS broker carries publications only, without history.
// Ends only the processes it started, by pid.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, openSync, closeSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ensureCentrifugo } from './centrifugo.mjs';
import { freePort } from './pb-server.mjs';

/** The Centrifugo channel namespace the kit publishes into by default (its channels are `sse:<topic>`). */
export const DEFAULT_NAMESPACE = 'sse';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitFor(check, what, timeoutMs, child) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${what}: process exited with ${child.exitCode}`);
    if (await check().catch(() => false)) return;
    await sleep(50);
  }
  throw new Error(`${what}: not ready within ${timeoutMs} ms`);
}

function redisPing(port) {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let reply = '';
    socket.setTimeout(1000, () => socket.destroy());
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk;
      if (reply.includes('\r\n')) {
        socket.end();
        resolve(reply.startsWith('+PONG'));
      }
    });
    socket.on('error', () => resolve(false));
    socket.on('close', () => resolve(false));
  });
}

async function healthy(url) {
  const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
  return response.ok;
}

function isObject(value) {
  return value && typeof value === 'object' && !Array.isArray(value);
}

/** Deep-merges `extra` into `base` (objects merge, everything else replaces). */
export function mergeConfig(base, extra) {
  const out = { ...base };
  for (const [key, value] of Object.entries(extra || {})) {
    out[key] = isObject(value) && isObject(out[key]) ? mergeConfig(out[key], value) : value;
  }
  return out;
}

/** The Centrifugo v6 config of one node (see `centrifugo defaultconfig` for every key). */
export function nodeConfig({ port, redisUrl, apiKey, tokenSecret, historySize, historyTtl, namespace, allowedOrigins, extra }) {
  const channelOptions = {
    history_size: historySize,
    history_ttl: historyTtl,
    force_recovery: true,
  };
  return mergeConfig(
    {
      http_server: { address: '127.0.0.1', port },
      log: { level: 'warn' },
      engine: { type: 'redis', redis: { address: [redisUrl] } },
      client: { token: { hmac_secret_key: tokenSecret }, allowed_origins: allowedOrigins },
      http_api: { key: apiKey },
      uni_sse: { enabled: true },
      health: { enabled: true },
      channel: { namespaces: [{ name: namespace, ...channelOptions }] },
      shutdown: { timeout: '2s' },
      usage_stats: { disabled: true },
    },
    extra,
  );
}

function stopChild(child, signal = 'SIGTERM', graceMs = 3000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {}
    }, graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      process.kill(child.pid, signal);
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

/**
 * Starts redis-server and `nodes` Centrifugo nodes sharing it; resolves when all are healthy.
 * Options: apiKey, tokenSecret (generated when absent), historySize (default 1000), historyTtl
 * (default '300s'), namespace (default 'sse'), allowedOrigins (default ['*']: tests only),
 * extra (deep-merged into every node's config).
 * Returns `{ nodes: [{ url, port }], apiUrl, apiKey, tokenSecret, namespace, redisUrl,
 * stopNode(i, signal = 'SIGKILL'), startNode(i), stop() }`.
 */
export async function startCluster({
  nodes = 2,
  apiKey = randomBytes(16).toString('hex'),
  tokenSecret = randomBytes(32).toString('hex'),
  historySize = 1000,
  historyTtl = '300s',
  namespace = DEFAULT_NAMESPACE,
  allowedOrigins = ['*'],
  extra = {},
} = {}) {
  const bin = await ensureCentrifugo();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'centrifugo-cluster-'));
  const children = new Map();
  const cleanup = () => {
    for (const child of children.values()) {
      try {
        if (child.exitCode === null) process.kill(child.pid, 'SIGKILL');
      } catch {}
    }
  };
  process.once('exit', cleanup);

  const redisBin = process.env.REDIS_SERVER_BIN || 'redis-server';
  const redisPort = await freePort();
  const redisLog = openSync(path.join(dir, 'redis.log'), 'a');
  const redis = spawn(redisBin, ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: ['ignore', redisLog, redisLog],
  });
  closeSync(redisLog);
  children.set('redis', redis);
  const spawnFailed = new Promise((_, reject) => redis.once('error', (error) =>
    reject(new Error(`redis-server could not start (${error.message}); install it (Debian: apt-get install redis-server) or set REDIS_SERVER_BIN`))));
  spawnFailed.catch(() => {});
  await Promise.race([waitFor(() => redisPing(redisPort), 'redis-server', 10000, redis), spawnFailed]);
  const redisUrl = `redis://127.0.0.1:${redisPort}`;

  const ports = [];
  for (let i = 0; i < nodes; i++) ports.push(await freePort());

  async function startNode(i) {
    const port = ports[i];
    const configFile = path.join(dir, `node${i}.json`);
    const config = nodeConfig({ port, redisUrl, apiKey, tokenSecret, historySize, historyTtl, namespace, allowedOrigins, extra });
    writeFileSync(configFile, JSON.stringify(config, null, 2));
    const log = openSync(path.join(dir, `node${i}.log`), 'a');
    const child = spawn(bin, ['--config', configFile], { stdio: ['ignore', log, log] });
    closeSync(log);
    children.set(`node${i}`, child);
    await waitFor(() => healthy(`http://127.0.0.1:${port}`), `centrifugo node ${i} (log: ${path.join(dir, `node${i}.log`)})`, 20000, child);
  }

  async function stopNode(i, signal = 'SIGKILL') {
    await stopChild(children.get(`node${i}`), signal);
  }

  async function stop() {
    for (let i = 0; i < nodes; i++) await stopNode(i, 'SIGTERM');
    await stopChild(redis, 'SIGTERM');
    process.removeListener('exit', cleanup);
    rmSync(dir, { recursive: true, force: true });
  }

  try {
    await Promise.all(ports.map((_, i) => startNode(i)));
  } catch (error) {
    cleanup();
    throw error;
  }

  return {
    nodes: ports.map((port) => ({ url: `http://127.0.0.1:${port}`, port })),
    apiUrl: `http://127.0.0.1:${ports[0]}/api`,
    apiKey,
    tokenSecret,
    namespace,
    redisUrl,
    dir,
    stopNode,
    startNode,
    stop,
  };
}
