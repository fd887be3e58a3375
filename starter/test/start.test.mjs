// What `npm start` prints, and which PocketBase versions it accepts from PATH.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readyLines, withoutBanner } from '../start.mjs';
import { isSupported, POCKETBASE_VERSION, SUPPORTED_RANGE } from '../../scripts/pocketbase.mjs';

test('PocketBase\'s start banner is dropped, its other lines (errors, the demo users) pass', () => {
  const out = [
    '2026/12/02 22:53:30 Server started at http://127.0.0.1:8090',
    '├─ REST API:  http://127.0.0.1:8090/api/',
    '└─ Dashboard: http://127.0.0.1:8090/_/',
    '2026/12/02 22:53:31 Demo users of the chat starter (shown once):',
    'panic: something real',
  ].join('\n');
  assert.equal(withoutBanner(out), '2026/12/02 22:53:31 Demo users of the chat starter (shown once):\npanic: something real');
});

test('the last lines say where the app is, which PocketBase and why, and how to stop', () => {
  const text = readyLines({ url: 'http://127.0.0.1:8090', version: '0.40.6', bin: '/opt/pb/pocketbase', reason: 'no pocketbase on PATH' });
  assert.match(text, /Chat starter: +http:\/\/127\.0\.0\.1:8090\//);
  assert.match(text, /PocketBase: +0\.40\.6, because no pocketbase on PATH/);
  assert.match(text, /superuser upsert EMAIL PASS/);
  assert.equal(text.trim().split('\n').at(-1).trim(), 'Press Ctrl-C to stop.');
});

test('a PATH binary counts only on the pinned line (any use) or as the pinned release (tests)', () => {
  assert.equal(SUPPORTED_RANGE, POCKETBASE_VERSION.replace(/\.\d+$/, '.x'));
  const [major, minor] = POCKETBASE_VERSION.split('.');
  assert.equal(isSupported(`${major}.${minor}.0`), true);
  assert.equal(isSupported(POCKETBASE_VERSION, { pinned: true }), true);
  assert.equal(isSupported(`${major}.${minor}.0`, { pinned: true }), POCKETBASE_VERSION === `${major}.${minor}.0`);
  assert.equal(isSupported('0.22.1'), false);
  assert.equal(isSupported(`${major}.${Number(minor) + 1}.0`), false);
  assert.equal(isSupported(`${major}.${minor}0.1`), false); // 0.400.1 is not 0.40.x
  assert.equal(isSupported(null), false);
});
