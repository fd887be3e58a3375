// The Markdown of the centrifugo section: delivery beside PocketBase, ratios, CPU per message,
// memory per 1,000 subscribers, and the publish cost inside the JS VM.

import { cell, mmm, table } from './md.mjs';

/** Per-process CPU figures summed into the columns of the report. */
const CPU_COLUMNS = [
  ['Centrifugo nodes', (k) => k.startsWith('centrifugo-')],
  ['redis', (k) => k === 'redis'],
  ['PocketBase realtime', (k) => k === 'pocketbase-realtime'],
  ['PocketBase publishing to Centrifugo', (k) => k === 'pocketbase-publisher'],
  ['load clients', (k) => k.startsWith('load-client-')],
];

const sumOf = (cpu, match) => Object.entries(cpu).filter(([k]) => match(k)).reduce((s, [, v]) => s + v, 0);

function deliveryMd(c) {
  const rows = [];
  for (const level of c.levels) {
    for (const f of level.rows) rows.push([f.subscribers, f.engine, f.strategy, f.p50_ms, f.p99_ms, f.max_ms, f.last_median_ms, `${f.delivered}/${f.expected}`, f.timed_out, level.dropped?.[f.engine]]);
  }
  const out = table(['subscribers', 'engine', 'strategy', 'p50 ms', 'p99 ms', 'max ms', 'last ms (median)', 'delivered/expected', `messages not everywhere in ${c.timeout_s} s`, 'its connections the server dropped at this level'], rows);
  const errors = c.levels.flatMap((l) => l.rows.filter((f) => f.errors.length).map((f) => `${l.subscribers} ${f.strategy}: ${f.errors.join('; ')}`));
  return errors.length ? `${out}\n\nFailed sends (first 3 per cell): ${errors.join('; ')}.` : out;
}

function ratiosMd(c) {
  const rows = [];
  for (const level of c.levels) {
    const pairs = new Set(Object.keys(level.ratios).map((k) => k.split(' ')[0]));
    for (const pair of pairs) {
      rows.push([level.subscribers, pair, ...['p50', 'p99', 'last_median'].map((m) => mmm(level.ratios[`${pair} ${m}`]))]);
    }
  }
  if (!rows.length) return '';
  return table(['subscribers', 'ratio', 'p50 min / median / max', 'p99 min / median / max', 'last min / median / max'], rows);
}

function cpuMd(c) {
  const rows = [];
  for (const level of c.levels) {
    for (const f of level.rows) rows.push([f.subscribers, f.strategy, ...CPU_COLUMNS.map(([, match]) => sumOf(f.cpu_ms_per_message, match))]);
  }
  return table(['subscribers', 'strategy', ...CPU_COLUMNS.map(([name]) => `${name} CPU ms`)], rows);
}

const after = (m, name) => cell(m.rss_mb_after_broadcasts?.[name]);

function memoryMd(c) {
  const rows = c.memory.map((m) => [
    m.subscribers,
    m.rss_mb['centrifugo-1'], m.rss_mb['centrifugo-2'], m.rss_mb.redis, m.rss_mb['pocketbase-publisher'], m.rss_mb['pocketbase-realtime'],
    m.mb_per_1000['centrifugo-1'], m.mb_per_1000['centrifugo-2'], cell(m.mb_per_1000['pocketbase-realtime']),
    after(m, 'centrifugo-1'), after(m, 'centrifugo-2'), after(m, 'pocketbase-realtime'),
  ]);
  return table(['subscribers', 'node 1 MB', 'node 2 MB', 'redis MB', 'PocketBase publishing MB', 'PocketBase realtime MB',
    'node 1 MB per 1,000 held', 'node 2 MB per 1,000 held', 'PocketBase realtime MB per 1,000 held',
    'node 1 MB after the broadcasts', 'node 2 MB after', 'PocketBase realtime MB after'], rows);
}

function idleMd(c) {
  const names = ['centrifugo-1', 'centrifugo-2', 'redis', 'pocketbase-realtime'];
  const rows = (c.idle || []).map((i) => [i.subscribers, i.seconds, ...names.map((n) => i.cpu_ms_per_s[n])]);
  return table(['subscribers', 'window s', 'node 1 CPU ms/s', 'node 2 CPU ms/s', 'redis CPU ms/s', 'PocketBase realtime CPU ms/s'], rows);
}

function costMd(c) {
  const rows = c.publish_cost.map((p) => [p.subscribers, p.mode, p.per_request, p.p50_ms, p.p99_ms, p.max_ms, mmm(p.rounds_p50), p.messages]);
  return table(['subscribers', 'mode', 'publishes per request', 'ms per publish p50', 'p99', 'max', 'p50 per round min / median / max', 'publishes'], rows);
}

/** The section's Markdown, or '' when it did not run. */
export function centrifugoMd(r) {
  const c = r.centrifugo;
  if (!c) return '';
  if (c.error) return `## Centrifugo cluster beside PocketBase\n\nThe section failed: ${c.error}`;
  const rounds = r.run.config.centrifugo.rounds;
  return [
    `## Centrifugo cluster beside PocketBase (${c.nodes} Centrifugo nodes, one ${c.broker} broker, subscribers split evenly over the nodes; 1 KB fragment to every subscriber of \`chat\`, latency from the send request to each receipt)`,
    'Strategies: ' + c.strategies.map((s) => `\`${s}\`: ${c.labels[s]}`).join('; ') + '. At the levels with both engines, both sets of subscribers are held at once by the same load-client processes and the strategies take turns; past them, Centrifugo alone. PocketBase\'s subscribers each hold `room` (the kit\'s topic) and `chat` (native\'s collection), so here the kit reaches them all through PocketBase\'s bus, never directly (the scale section measures the direct path).',
    deliveryMd(c),
    'Load average when each level finished (the machine is shared): ' + c.levels.map((l) => `${l.subscribers}: ${l.load_average?.join(' ')}`).join('; ') + '.',
    `Centrifugo against PocketBase per round (min / median / max over ${rounds} rounds; below 1 = faster than the PocketBase baseline; "last" = median time to the last subscriber):`,
    ratiosMd(c),
    'CPU time per broadcast message (ms, every process of that kind summed; clock ticks of 10 ms summed over the rounds, then divided; what a process does in the background, like PocketBase realtime\'s garbage collection after its broadcasts, counts for whichever strategy runs then):',
    cpuMd(c),
    'Resident memory after connecting each level (per 1,000 held: growth from the idle process over the subscribers that process holds), and after the level\'s broadcasts:',
    memoryMd(c),
    'CPU while the subscribers sit idle (ms of CPU per second; heartbeats and timers; 10 ms clock ticks over a short window, so a rough figure):',
    idleMd(c),
    'Publish cost inside the JS VM (server time of `$http.send` to Centrifugo\'s HTTP API, ms per publish; `batch`: one `/api/batch` request of several publishes, its time divided among them; to a channel nobody holds):',
    costMd(c),
  ].filter(Boolean).join('\n\n');
}
