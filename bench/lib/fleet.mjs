// A fleet of subscriber processes (subscriber.mjs) driven over IPC: spreads connections over
// processes, waits for every reader to receive a message, gathers latency samples.

import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'subscriber.mjs');

/** Splits `total` into `parts` near-equal counts. */
export function split(total, parts) {
  return Array.from({ length: parts }, (_, i) => Math.floor(total / parts) + (i < total % parts ? 1 : 0));
}

/** Starts `size` subscriber processes; returns the fleet's controls. */
export function startFleet(size) {
  const children = Array.from({ length: size }, () => fork(script, [], { serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  let nextId = 1;
  const pending = new Map();
  /** seq -> number of processes that reported all their readers (of the seq's group) got it. */
  const done = new Map();
  const waiters = new Map();
  for (const child of children) {
    child.on('message', (msg) => {
      if (msg.op === 'reply') {
        const p = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.error) p?.reject(new Error(msg.error));
        else p?.resolve(msg.result);
      } else if (msg.op === 'done') {
        done.set(msg.seq, (done.get(msg.seq) || 0) + 1);
        const w = waiters.get(msg.seq);
        if (w && done.get(msg.seq) >= w.need) w.resolve(true);
      }
    });
  }
  const call = (child, op, args = {}) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ ...args, op, id });
    });
  const all = (op, argsOf) => Promise.all(children.map((c, i) => call(c, op, argsOf(i))));
  /**
   * Per group of readers (`main` unless a connect names one): the readers, and which processes
   * hold at least one (the ones whose `done` counts for a message to that group).
   */
  const groups = new Map();
  const groupOf = (name) => {
    if (!groups.has(name)) groups.set(name, { readers: 0, had: new Array(size).fill(false) });
    return groups.get(name);
  };
  const withReaders = (name) => groupOf(name).had.filter(Boolean).length;

  return {
    size,
    pids: children.map((c) => c.pid),
    /** Readers of the `main` group. */
    get readers() {
      return groupOf('main').readers;
    },
    /** Readers of group `name`. */
    readersOf(name) {
      return groupOf(name).readers;
    },
    /** The groups connected so far (some may have no readers left). */
    groupNames() {
      return [...groups.keys()];
    },
    /**
     * Adds `count` subscribers of `topic` (spread over the processes); `stall` ones never read.
     * With `topics`, each subscribes to those instead, `{i}` replaced by a number unique in this
     * call, counted from `offset` (so `solo:{i}` gives every client a topic of its own).
     * With `centrifugo` ({ nodes, token, channels }), they are Centrifugo connections spread
     * over the nodes instead, subscribed to `channels` by `token` (`url` and `topic` unused).
     * `group` keeps these readers apart from the others (waitFor and readersOf take it).
     */
    async connect(url, topic, count, { stall = false, concurrency = 32, topics = null, offset = 0, centrifugo = null, group = 'main' } = {}) {
      const counts = stall ? [count, ...split(0, size - 1)] : split(count, size);
      const offsets = counts.map((_, i) => offset + counts.slice(0, i).reduce((a, b) => a + b, 0));
      const results = await all('connect', (i) => ({ url, topic, topics, offset: offsets[i], count: counts[i], stall, concurrency, centrifugo, group }));
      if (!stall) {
        const g = groupOf(group);
        g.readers += results.reduce((s, r) => s + r.connected, 0);
        counts.forEach((c, i) => { if (c > 0) g.had[i] = true; });
      }
      return { connected: results.reduce((s, r) => s + r.connected, 0), failed: results.reduce((s, r) => s + r.failed, 0), errors: results.flatMap((r) => r.errors) };
    },
    /** Resolves true when every reader (of `group`) received `seq`, false after `timeoutMs`. */
    waitFor(seq, timeoutMs, group = 'main') {
      const need = withReaders(group);
      if ((done.get(seq) || 0) >= need) return Promise.resolve(true);
      return new Promise((resolve) => {
        const timer = setTimeout(() => { waiters.delete(seq); resolve(false); }, timeoutMs);
        waiters.set(seq, { need, resolve: (v) => { clearTimeout(timer); waiters.delete(seq); resolve(v); } });
      });
    },
    /** Latency samples per seq since the last collect, merged over processes; connection counts, and drops so far (per group too). */
    async collect() {
      const results = await all('collect', () => ({}));
      const bySeq = new Map();
      for (const r of results) {
        for (const [seq, arr] of Object.entries(r.samples)) {
          const list = bySeq.get(Number(seq)) || [];
          for (const v of arr) list.push(v);
          bySeq.set(Number(seq), list);
        }
      }
      const droppedBy = {};
      for (const r of results) for (const [g, n] of Object.entries(r.droppedBy || {})) droppedBy[g] = (droppedBy[g] || 0) + n;
      return { bySeq, open: results.reduce((s, r) => s + r.open, 0), dropped: results.reduce((s, r) => s + r.dropped, 0), droppedBy };
    },
    /** Opens, subscribes and closes `count` connections in total, spread over the processes. */
    async cycle(url, topic, count, concurrency = 8) {
      const counts = split(count, size);
      const results = await all('cycle', (i) => ({ url, topic, count: counts[i], concurrency }));
      return { cycles: results.reduce((s, r) => s + r.cycles, 0), failed: results.reduce((s, r) => s + r.failed, 0), errors: results.flatMap((r) => r.errors) };
    },
    /** Closes every connection (the processes stay). */
    async closeAll() {
      await all('close', () => ({}));
      groups.clear();
      done.clear();
    },
    /** Closes the connections of one group. */
    async closeGroup(name) {
      await all('close', () => ({ group: name }));
      groups.delete(name);
    },
    /** Ends the processes. */
    stop() {
      for (const c of children) c.kill();
    },
  };
}
