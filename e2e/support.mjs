// Pieces every fixture file shares: console watching, worker-scoped PocketBase servers on
// test apps, and signed-in test users.
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import PocketBase from 'pocketbase';
import { startPocketBase } from '../scripts/pb-server.mjs';
import { copyVendorScripts } from '../starter/start.mjs';

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

/**
 * Starts PocketBase on a test app folder (`pb_hooks`, `pb_public`, optional `pb_migrations`),
 * with the browser scripts and the test pages' loader (`test-page.js`) copied into its
 * `pb_public/vendor` and a superuser.
 */
export function startTestApp(app, superuser, { migrations = false } = {}) {
  copyVendorScripts(path.join(app, 'pb_public'));
  copyFileSync(new URL('./test-page.js', import.meta.url), path.join(app, 'pb_public', 'vendor', 'test-page.js'));
  if (migrations) mkdirSync(path.join(app, 'pb_migrations'), { recursive: true });
  return startPocketBase({
    cwd: app,
    hooksDir: path.join(app, 'pb_hooks'),
    publicDir: path.join(app, 'pb_public'),
    ...(migrations ? { migrationsDir: path.join(app, 'pb_migrations') } : {}),
    superuser,
    quiet: true,
  });
}

/** Creates users `a` and `b` (`<name>@<domain>`) and signs them and the superuser in: `{ a, b, superuser }`, each `{ token, record }`. */
export async function signedInUsers(url, superuser, domain, password) {
  const client = () => {
    const sdk = new PocketBase(url);
    sdk.autoCancellation(false);
    return sdk;
  };
  const admin = client();
  await admin.collection('_superusers').authWithPassword(superuser.email, superuser.password);
  const users = { superuser: { token: admin.authStore.token, record: admin.authStore.record } };
  for (const name of ['a', 'b']) {
    const email = `${name}@${domain}`;
    await admin.collection('users').create({ email, password, passwordConfirm: password });
    const sdk = client();
    await sdk.collection('users').authWithPassword(email, password);
    users[name] = { token: sdk.authStore.token, record: sdk.authStore.record };
  }
  return users;
}
