// Pieces every fixture file shares: console watching and worker-scoped PocketBase servers.

/** Collects console errors and page errors of a page; tests assert the list stays empty. */
export function watchConsole(page) {
  const errors = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (error) => errors.push(String(error)));
  return errors;
}

/** A worker-scoped Playwright fixture: a PocketBase from `start()`, stopped when the worker ends. */
export function workerPocketBase(start) {
  return [
    async ({}, use) => {
      const pb = await start();
      await use(pb);
      await pb.stop();
    },
    { scope: 'worker' },
  ];
}
