// A load client process: holds many raw PocketBase realtime connections, or Centrifugo
// unidirectional SSE connections (plain HTTP, no SDK, no browser), records when each benchmark
// message arrives, and answers its parent over IPC.
// Started by fleet.mjs with child_process.fork; never run by hand.

import http from 'node:http';
import { nowMs } from './stats.mjs';
import { connectPush, uniSseUrl } from './cfwire.mjs';
import { parseFrames, parseStamp } from './wire.mjs';

const conns = new Set();
/** seq -> receipt latencies (ms) of this process's readers. */
let samples = new Map();
/** group -> readers in it (a message reaches one group: its seq is done when all of them have it). */
let readers = new Map();
let dropped = 0;
/** group -> connections of it the server ended. */
const droppedBy = new Map();

/**
 * Opens one SSE stream at `address`; resolves once `ready(frame)` (run on each frame until it
 * returns a truthy id) accepted the stream's greeting: PocketBase's PB_CONNECT, or Centrifugo's
 * connect push. Later frames carrying a benchmark stamp are recorded.
 */
function openStream(address, ready, what) {
  return new Promise((resolve, reject) => {
    const req = http.get(address, { agent: false, headers: { accept: 'text/event-stream' } });
    const conn = { req, res: null, buf: '', clientId: null, stalled: false, closedByUs: false };
    const timer = setTimeout(() => { req.destroy(new Error(`no ${what} within 20 s`)); }, 20000);
    req.on('error', (error) => { clearTimeout(timer); conns.delete(conn); if (!conn.clientId) reject(error); });
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        clearTimeout(timer);
        req.destroy();
        conns.delete(conn);
        return reject(new Error(`${what}: HTTP ${res.statusCode}`));
      }
      conn.res = res;
      res.setEncoding('utf8');
      res.on('data', (chunk) => onData(conn, chunk, ready, (error) => {
        clearTimeout(timer);
        if (error) { req.destroy(); return reject(error); }
        resolve(conn);
      }));
      res.on('close', () => {
        if (conns.delete(conn) && !conn.closedByUs) lost(conn);
      });
    });
    conns.add(conn);
  });
}

/** A PocketBase realtime stream; its client id comes with PB_CONNECT. */
const openPocketBase = (base) => openStream(base + '/api/realtime', (frame) => frame.event === 'PB_CONNECT' && JSON.parse(frame.data).clientId, 'PB_CONNECT');

/**
 * A Centrifugo unidirectional SSE stream with connection `token`; the connect push must list
 * every one of `channels` as a server-side subscription.
 */
function openCentrifugo(nodeUrl, { token, channels }) {
  return openStream(uniSseUrl(nodeUrl, token), (frame) => {
    const connect = connectPush(frame.data);
    if (!connect) throw new Error(`expected Centrifugo's connect push, got ${frame.data.slice(0, 120)}`);
    const missing = channels.filter((c) => !connect.subs || !(c in connect.subs));
    if (missing.length) throw new Error(`Centrifugo connected without the subscriptions ${missing.join(', ')}`);
    return connect.client;
  }, 'Centrifugo connect push');
}

function onData(conn, chunk, ready, settle) {
  const at = nowMs();
  conn.buf += chunk;
  const { frames, rest } = parseFrames(conn.buf);
  conn.buf = rest;
  for (const frame of frames) {
    if (!conn.clientId) {
      try {
        conn.clientId = ready(frame) || null;
      } catch (error) {
        return settle(error);
      }
      if (conn.clientId) settle(null);
      continue;
    }
    const stamp = parseStamp(frame.data);
    if (stamp) record(stamp.seq, at - stamp.t, conn.group);
  }
}

/**
 * A connection the server ended: counted as dropped; a reader stops counting in its group, so
 * the messages every remaining reader already has are done (the shortfall shows in the counts).
 */
function lost(conn) {
  dropped++;
  if (!conn.group) return;
  droppedBy.set(conn.group, (droppedBy.get(conn.group) || 0) + 1);
  if (conn.stalled) return;
  const left = (readers.get(conn.group) || 0) - 1;
  readers.set(conn.group, left);
  for (const [seq, list] of samples) if (list.group === conn.group && list.length === left && left > 0) process.send({ op: 'done', seq, group: conn.group });
}

function record(seq, latency, group) {
  let list = samples.get(seq);
  if (!list) samples.set(seq, (list = Object.assign([], { group })));
  list.push(latency);
  if (list.length === readers.get(group)) process.send({ op: 'done', seq, group });
}

async function subscribe(base, conn, topics) {
  const res = await fetch(base + '/api/realtime', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ clientId: conn.clientId, subscriptions: topics }),
    signal: AbortSignal.timeout(20000),
  });
  if (res.status !== 204) throw new Error(`subscribe answered ${res.status}: ${await res.text()}`);
}

function close(conn) {
  conn.closedByUs = true;
  conns.delete(conn);
  conn.req.destroy();
}

/** Runs `task(i)` for i < count with at most `limit` in flight; returns the failures' messages. */
async function pool(count, limit, task) {
  let next = 0;
  const errors = [];
  async function lane() {
    while (next < count) {
      const i = next++;
      try {
        await task(i);
      } catch (error) {
        errors.push(String(error.message || error));
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
  return errors;
}

const ops = {
  // `topics` (optional) are subscribed instead of `topic`; `{i}` in them becomes offset + i
  // with `centrifugo` ({ nodes: [url], token, channels }), connection offset + i goes to node
  // (offset + i) % nodes, subscribed to `channels` by the token (the kit's); readers
  // count in `group` (one fleet can hold both engines' subscribers apart)
  async connect({ url, topic, topics = null, offset = 0, count, stall = false, concurrency = 32, centrifugo = null, group = 'main' }) {
    const errors = await pool(count, concurrency, async (i) => {
      const n = offset + i;
      const conn = centrifugo
        ? await openCentrifugo(centrifugo.nodes[n % centrifugo.nodes.length], centrifugo)
        : await openPocketBase(url);
      if (!centrifugo) await subscribe(url, conn, topics ? topics.map((t) => t.replace('{i}', String(n))) : [topic]);
      conn.group = group;
      if (stall) {
        conn.stalled = true;
        conn.res.pause();
        conn.res.socket.pause();
      } else readers.set(group, (readers.get(group) || 0) + 1);
    });
    return { connected: count - errors.length, errors: errors.slice(0, 3), failed: errors.length };
  },
  async cycle({ url, topic, count, concurrency = 16 }) {
    const errors = await pool(count, concurrency, async () => {
      const conn = await openPocketBase(url);
      await subscribe(url, conn, [topic]);
      close(conn);
    });
    return { cycles: count - errors.length, failed: errors.length, errors: errors.slice(0, 3) };
  },
  async collect() {
    const out = {};
    for (const [seq, list] of samples) out[seq] = Float64Array.from(list);
    samples = new Map();
    return { samples: out, readers: Object.fromEntries(readers), open: conns.size, dropped, droppedBy: Object.fromEntries(droppedBy) };
  },
  // every connection, or only those of `group`
  async close({ group = null } = {}) {
    for (const conn of [...conns]) if (group === null || conn.group === group) close(conn);
    if (group === null) readers = new Map();
    else readers.delete(group);
    samples = new Map();
    return { open: conns.size };
  },
};

process.on('message', async (msg) => {
  try {
    const result = await ops[msg.op](msg);
    process.send({ op: 'reply', id: msg.id, result });
  } catch (error) {
    process.send({ op: 'reply', id: msg.id, error: String(error.stack || error) });
  }
});
process.on('disconnect', () => process.exit(0));
