// A node:test reporter that writes only `{"passed":N,"failed":N,"skipped":N}` (leaf tests), for
// scripts/test.mjs. A skipped or todo test reports `test:pass` with `skip`/`todo` set: it counts
// as skipped, never as passed.
export default async function* countReporter(source) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    if (event.data.details?.type === 'suite') continue;
    if (event.data.skip !== undefined || event.data.todo !== undefined) skipped++;
    else if (event.type === 'test:pass') passed++;
    else failed++;
  }
  yield JSON.stringify({ passed, failed, skipped });
}
