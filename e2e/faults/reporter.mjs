// Writes the fault report from the fault suite's run: one row per case (what was tried, what
// happened, pass/fail) in the order the suite declares them, then the numbers measured in this
// run. Written only when every faults-*.spec.mjs file took part in the run under every project
// and without a title filter, so a partial run never replaces the whole report.
// A test run writes it to e2e/results/latest/faults.md (git-ignored, and outside Playwright's
// output folder, which every run empties), so `npm test` leaves the tree clean;
// `npm run faults:report` runs the fault suite with FAULTS_REPORT pointing at the committed
// e2e/results/faults.md.
import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const testsDir = path.join(here, '..', 'tests');
/** Where the report goes: $FAULTS_REPORT, else the git-ignored e2e/results/latest/. */
const output = path.resolve(process.env.FAULTS_REPORT || path.join(here, '..', 'results', 'latest', 'faults.md'));
const isFaultFile = (file) => /faults-[^/\\]+\.spec\.mjs$/.test(file);

// table cells: pipes escaped, markup shown as text (GitHub would hide `<A>` or `<script>`)
const cell = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 400);

/** Rows of one finished test: its recorded cases, plus a failure row when none says why. */
function rowsOf(test, result) {
  const project = test.parent.project()?.name || '';
  const rows = [];
  for (const a of result.annotations) {
    if (a.type !== 'fault-case') continue;
    const { tried, happened, ok, table = '' } = JSON.parse(a.description);
    rows.push({ project, tried, happened, ok, table });
  }
  const failed = result.status !== 'passed' && result.status !== 'skipped';
  if (failed && !rows.some((r) => !r.ok)) {
    const first = String(result.error?.message || result.status).replace(/\u001b\[[0-9;]*m/g, '').split('\n')[0];
    rows.push({ project, tried: test.title, happened: first, ok: false });
  }
  return rows;
}

/** Which code ran: the commit, and the files changed on top of it (the report itself aside). */
function codeState() {
  const git = (...args) => execFileSync('git', args, { cwd: path.join(here, '..', '..'), encoding: 'utf8' });
  try {
    // porcelain lines are `XY path`: two status columns and a space
    const changed = git('status', '--porcelain').split('\n').filter(Boolean).map((l) => l.slice(3)).filter((f) => !f.startsWith('e2e/results/'));
    return `Code: commit ${git('rev-parse', '--short', 'HEAD').trim()}` + (changed.length ? `, with uncommitted changes to ${changed.join(', ')}.` : ', no other change.');
  } catch {
    return 'Code: not a git checkout.';
  }
}

/** The report's count line: cases, how many are htmx 4 repeats, how many are rows of input tables. */
function summary(passed, failed, byProject, byTable) {
  const repeats = byProject.get('htmx4') || 0;
  const tables = [...byTable.values()].reduce((a, b) => a + b, 0);
  const each = [...byTable].map(([name, n]) => `${name} ${n}`).join(', ');
  return `Cases: ${passed + failed} (${passed} passed, ${failed} failed): ${passed + failed - repeats} under htmx 2, where every case runs, ` +
    `and ${repeats} htmx 4 repeats of the cases that involve a browser. ${tables} of the rows are rows of input tables (${each}): ` +
    'one test trying many inputs the same way.';
}

/** Playwright reporter; see the file comment. */
export default class FaultsReporter {
  onBegin(config, suite) {
    this.tests = suite.allTests().filter((t) => isFaultFile(t.location.file));
    const files = new Set(this.tests.map((t) => path.basename(t.location.file)));
    const onDisk = readdirSync(testsDir).filter(isFaultFile);
    const projects = new Set(this.tests.map((t) => t.parent.project()?.name));
    const unfiltered = (grep) => !grep || (Array.isArray(grep) ? grep.every(unfiltered) : grep instanceof RegExp && grep.source === '.*');
    this.complete = onDisk.length > 0 && onDisk.every((f) => files.has(f)) && projects.size === config.projects.length &&
      unfiltered(config.grep) && !config.grepInvert;
    this.results = new Map();
  }

  onTestEnd(test, result) {
    if (isFaultFile(test.location.file)) this.results.set(test, result);
  }

  onEnd() {
    if (!this.complete || this.tests.some((t) => !this.results.has(t))) return;
    const lines = [
      '# Faults, abuse and bad input: what the suite tried',
      '',
      'Written by `e2e/faults/reporter.mjs` from the last full run of `e2e/tests/faults-*.spec.mjs`',
      '(real PocketBase, real Chromium, loopback only). One row per case; `htmx` is the Playwright',
      'project (cases without a browser run once, under htmx2).',
      '',
    ];
    const measures = [];
    let file = '';
    let passed = 0;
    let failed = 0;
    const byProject = new Map();
    const byTable = new Map();
    for (const test of this.tests) {
      const result = this.results.get(test);
      if (result.status === 'skipped') continue;
      const name = path.basename(test.location.file);
      if (name !== file) {
        file = name;
        lines.push('', `## ${name}`, '', '| htmx | tried | what happened | result |', '| --- | --- | --- | --- |');
      }
      for (const row of rowsOf(test, result)) {
        lines.push(`| ${row.project.replace('htmx', '')} | ${cell(row.tried)} | ${cell(row.happened)} | ${row.ok ? 'pass' : '**FAIL**'} |`);
        row.ok ? passed++ : failed++;
        byProject.set(row.project, (byProject.get(row.project) || 0) + 1);
        if (row.table) byTable.set(row.table, (byTable.get(row.table) || 0) + 1);
      }
      for (const a of result.annotations) {
        if (a.type === 'fault-measure') measures.push({ project: test.parent.project()?.name || '', ...JSON.parse(a.description) });
      }
    }
    lines.splice(6, 0, summary(passed, failed, byProject, byTable), '', codeState());
    if (measures.length) {
      lines.push('', '## Measured in this run', '', 'These numbers vary from run to run (timing on a shared 2-core machine); the cases above hold their bounds.', '', '| htmx | measure | value |', '| --- | --- | --- |');
      for (const m of measures) lines.push(`| ${m.project.replace('htmx', '')} | ${cell(m.name)} | ${cell(m.value)} |`);
    }
    mkdirSync(path.dirname(output), { recursive: true });
    writeFileSync(output, lines.join('\n') + '\n');
  }
}
