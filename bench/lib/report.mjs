// Writes bench/results/latest.json and the Markdown tables beside it (latest.md).

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { centrifugoMd } from './report-centrifugo.mjs';
import { cell, mmm, table } from './md.mjs';
import { PACED_GAP_MS } from './targeted.mjs';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'results');

/** Profile phases in the order a send loop runs them. */
const PHASES = ['clients_map_ms', 'iterate_ms', 'has_subscription_ms', 'subscriptions_prefix_ms', 'subscriptions_exact_prefix_ms', 'is_discarded_ms', 'send_only_ms', 'naive_loop_ms', 'kit_send_ms', 'kit_fast_send_ms', 'kit_require_ms'];


/** `direct/sends` for the kit's strategies that say (`sseSend`'s answer), else blank. */
function sentDirect(f) {
  return f.sent_direct === null || f.sent_direct === undefined ? '' : `${f.sent_direct}/${f.sends}`;
}

function fanoutMd(r) {
  const rows = r.fanout.map((f) => [f.strategy, f.subscribers, f.p50_ms, f.p99_ms, f.max_ms, `${f.delivered}/${f.expected}`, sentDirect(f)]);
  const ratioRows = [];
  for (const level of r.fanout_rounds) {
    for (const [name, s] of Object.entries(level.ratios)) ratioRows.push([level.subscribers, name, mmm(s)]);
  }
  return [
    '## Fan-out (1 KB fragment to N subscribers of one topic: the kit\'s strategies on `room` (no collection: nothing else sends to its subscribers), naive and native on `chat` (a collection), each to subscribers of its own with only they connected; latency from the send request to each receipt)',
    table(['strategy', 'subscribers', 'p50 ms', 'p99 ms', 'max ms', 'delivered/expected', 'sends handed wholly directly'], rows),
    `Ratios per round (min / median / max over ${r.run.config.rounds} rounds; below 1 = faster than the baseline; "last" = median time to the last subscriber):`,
    table(['subscribers', 'ratio', 'min / median / max'], ratioRows),
  ].join('\n\n');
}

function throughputMd(r) {
  if (!r.throughput.length) return '';
  const step = (s) => `${s.round ? `r${s.round} ` : ''}${s.rate}/s: p99 ${cell(s.p99_ms)} ms, ${s.delivered}/${s.expected}${s.failures ? `, ${s.failures} failed` : ''}${s.skipped ? `, ${s.skipped} skipped` : ''}`;
  const rows = r.throughput.map((t) => [t.strategy, t.subscribers, t.max_rate_per_s, (t.rounds || [t.max_rate_per_s]).join(' / '), t.steps.map(step).join('; ')]);
  return ['## Throughput (highest steady rate with p99 < 100 ms and every message delivered; median of rounds)', table(['strategy', 'subscribers', 'max msg/s', 'per round', 'steps'], rows)].join('\n\n');
}

function stallMd(r) {
  if (!r.stall.length) return '';
  const rows = r.stall.map((s) => [s.strategy, `${s.readers}+1`, `${s.rate_per_s}/s for ${s.window_s} s`, s.sent, s.sends_timed_out, cell(s.first_timeout_at_s), s.skipped_in_flight_full, s.p50_ms, s.p99_ms, s.max_ms, `${s.delivered}/${s.expected}`, s.health_after ? 'yes' : 'NO', `${s.pocketbase_rss_mb_start} -> ${s.pocketbase_rss_mb_end}`]);
  const timelines = r.stall.map((s) => `- **${s.strategy}**: ` + s.timeline.map((b) => `${b.from_s}s: p99 ${cell(b.p99_ms)} ms, ${b.delivered}/${b.expected}`).join('; '));
  return [
    '## One stalled subscriber (stops reading its socket; the others\' delivery, request timeout 5 s)',
    table(['strategy', 'clients', 'load', 'sent', 'sends timed out', 'first timeout at s', 'skipped (16 in flight)', 'p50 ms', 'p99 ms', 'max ms', 'delivered/expected', 'healthy after', 'PocketBase RSS MB'], rows),
    'Timeline (delivery to the readers per slice of the window):',
    timelines.join('\n'),
  ].join('\n\n');
}

function otherMd(r) {
  const parts = [];
  if (r.browser) {
    parts.push('## Browser (real Chromium, htmx 2, two pages of the bench chat)',
      table(['POST-to-swap p50 ms', 'p99 ms', 'max ms', 'messages', 'realtime connections, 8 sse-swap elements'],
        [[r.browser.latency_p50_ms, r.browser.latency_p99_ms, r.browser.latency_max_ms, r.browser.messages, r.browser.connections_8_elements]]));
  }
  if (r.recovery) {
    parts.push('## Recovery (ordered delivery: reconnect to every missed 1 KB message applied in order, one raw subscriber)',
      table(['missed messages', 'ms (median)', 'catch-up requests'], r.recovery.map((x) => [x.missed, x.ms, x.catch_up_requests])));
  }
  if (r.bundle) {
    parts.push('## Bundle (minified, gzip -9)', table(['extension', 'version', 'minified B', 'gzip B'],
      Object.entries(r.bundle.details).map(([k, d]) => [k, d.version, d.min_bytes, d.gzip_bytes])));
  }
  if (r.memory) {
    const m = r.memory;
    const levels = m.levels || [1000, 5000];
    const top = levels[levels.length - 1];
    const row = (who, connecting, suffix) => [who, connecting, ...levels.map((l) => cell(m[`rss_per_subscriber_kb_${l}${suffix}`])),
      cell(m[`live_heap_per_subscriber_kb_${top}${suffix}`])];
    parts.push('## Memory (PocketBase VmRSS; each idle subscriber holds `chat` and a topic of its own)',
      table(['PocketBase', 'connecting', ...levels.map((l) => `KB per idle subscriber at ${l}`), `live heap KB per subscriber at ${top}`], [
        ['alone (no kit hooks)', '128 at a time', '_bare'],
        ['kit, topic index off', '128 at a time', '_index_off'],
        ['kit, topic index on', '128 at a time', ''],
        ['alone (no kit hooks)', '8 at a time', '_bare_gentle'],
        ['kit, topic index off', '8 at a time', '_index_off_gentle'],
        ['kit, topic index on', '8 at a time', '_gentle'],
      ].filter(([, , suffix]) => m[`rss_per_subscriber_kb_${top}${suffix}`] !== undefined).map(([who, connecting, suffix]) => row(who, connecting, suffix))),
      `RSS difference on - off at ${top} per (topic, client) entry: ${cell(m.index_bytes_per_entry)} B connecting 128 at a time, ${cell(m.index_bytes_per_entry_gentle)} B connecting 8 at a time (RSS of separate PocketBase processes: an upper bound that includes heap high water, noisy at small counts). Live heap difference on - off, connecting 8 at a time: ${cell(m.index_live_bytes_per_entry_gentle)} B per entry (Go's collector trace, \`GODEBUG=gctrace=1\`: the live heap after marking, in whole MB, read after making garbage until three collections ran, the least of the last two; the base is what the collections during start-up left).`,
      table(['cycles', 'RSS growth after cycles MB', 'RSS growth in the second half MB', 'live heap after half / all cycles MB', 'live heap growth in the second half MB'],
        [[m.cycles, m.rss_growth_after_cycles_mb, m.rss_growth_second_half_mb, `${cell(m.live_heap_mb_after_half)} / ${cell(m.live_heap_mb_after_cycles)}`, cell(m.live_heap_growth_second_half_mb)]]));
  }
  if (r.profile) {
    const ph = r.profile.phases;
    parts.push(`## Send loop inside the JS VM (${r.profile.clients} clients, ms per broadcast, median of ${r.profile.reps})`,
      table(['phase', 'ms'], PHASES.filter((k) => k in ph).map((k) => [k.replace(/_ms$/, ''), ph[k]])));
  }
  return parts.join('\n\n');
}

function setupMd(r) {
  const v = r.run.versions;
  return [
    `# Benchmark results (${r.run.mode} run, ${r.run.date})`,
    `Machine: ${r.run.machine.cores} cores (${r.run.machine.cpu_model}), ${r.run.machine.memory_gb} GB, ${r.run.machine.os}; ` +
      `PocketBase ${v.pocketbase}, Node ${v.node}, pocketbase-htmx-ext-sse ${v['pocketbase-htmx-ext-sse']}, pocketpages-plugin-sse ${v['pocketpages-plugin-sse']}, ` +
      `htmx ${v['htmx.org']} / ${v.htmx4}, htmx-ext-sse ${v['htmx-ext-sse']}; load average ${r.run.machine.load_average_at_start?.join(' ')} at start, ${r.run.machine.load_average_at_end?.join(' ')} at end; commit ${r.run.commit}${r.run.worktree_dirty ? ' (with uncommitted changes in ext/ or server/)' : ''}; run took ${r.run.duration_s} s.`,
    `Load clients: ${r.run.config.fleet} Node processes holding raw SSE connections on 127.0.0.1, on the same cores as PocketBase.`,
  ].join('\n\n');
}

function targetedMd(r) {
  if (!r.targeted?.length) return '';
  const label = (t) => (t.strategy === 'naive' ? 'naive loop' : `kit, index ${t.index ? 'on' : 'off'}${t.strategy === 'kit-paced' ? `, paced (${PACED_GAP_MS} ms pause after each send)` : ''}`);
  const rows = r.targeted.map((t) => [t.connected, t.recipients, label(t), t.p50_ms, t.p99_ms, t.max_ms, mmm(t.rounds_p50), t.sends, t.strategy !== 'naive' ? t.direct ?? '' : '']);
  return [
    '## Targeted sends (server time of one send inside the VM; every connected client holds `lobby` and a topic of its own, 100 of them `hundred`; one holds `chat`, a collection, and `solo-chat`; sends back to back unless paced)',
    table(['connected', 'recipients', 'sender', 'p50 ms', 'p99 ms', 'max ms', 'p50 per round min / median / max', 'sends', 'of them direct'], rows),
  ].join('\n\n');
}

function scaleMd(r) {
  if (!r.scale?.length) return '';
  const rows = r.scale.map((f) => [f.strategy, f.subscribers, f.p50_ms, f.p99_ms, f.max_ms, `${f.delivered}/${f.expected}`, sentDirect(f)]);
  const ratioRows = [];
  for (const level of r.scale_rounds) {
    for (const [name, s] of Object.entries(level.ratios)) if (/\/native/.test(name)) ratioRows.push([level.subscribers, name, mmm(s)]);
  }
  return [
    '## Scale (1 KB fragment to N subscribers of one topic, held as in the fan-out: the kit\'s strategies on `room` (no collection: nothing else sends to its subscribers), naive and native on `chat` (a collection), each to subscribers of its own with only they connected; latency from the send request to each receipt)',
    table(['strategy', 'subscribers', 'p50 ms', 'p99 ms', 'max ms', 'delivered/expected', 'sends handed wholly directly'], rows),
    `Ratios against native per round (min / median / max over ${r.run.config.scale.rounds} rounds; "last" = median time to the last subscriber):`,
    table(['subscribers', 'ratio', 'min / median / max'], ratioRows),
  ].join('\n\n');
}

/** Renders the Markdown report of a results object. */
export function toMarkdown(r) {
  return [setupMd(r), r.fanout.length ? fanoutMd(r) : '', throughputMd(r), stallMd(r), targetedMd(r), scaleMd(r), centrifugoMd(r), otherMd(r)].filter(Boolean).join('\n\n') + '\n';
}

/** Writes `<name>.json` and `<name>.md` (default `latest`); returns their paths. */
export function writeResults(results, name = 'latest') {
  mkdirSync(dir, { recursive: true });
  const json = path.join(dir, `${name}.json`);
  const md = path.join(dir, `${name}.md`);
  writeFileSync(json, JSON.stringify(results, null, 2) + '\n');
  writeFileSync(md, toMarkdown(results));
  return [json, md];
}
