// The presence line's coalescing plan (pure logic of starter/pb_hooks/lib/presence.js).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const { plan, describe } = createRequire(import.meta.url)('../pb_hooks/lib/presence.js');

test('the first join, and a join after a quiet window, broadcast at once', () => {
  assert.deepEqual(plan(null, 5000, 1000), { action: 'broadcast', state: { last: 5000, pending: false } });
  assert.equal(plan({ last: 3000, pending: false }, 4000, 1000).action, 'broadcast');
});

test('a join inside the window owns the one pending broadcast, for the rest of the window', () => {
  assert.deepEqual(plan({ last: 3000, pending: false }, 3400, 1000), { action: 'flush', wait: 600, state: { last: 3000, pending: true } });
});

test('joins while a broadcast is pending only answer themselves', () => {
  const state = { last: 3000, pending: true };
  assert.deepEqual(plan(state, 3500, 1000), { action: 'self', state });
  assert.equal(plan(state, 7999, 1000).action, 'self'); // the owner clears pending when it sends
});

test('a pending broadcast whose owner died (five windows old) is taken over by the next join', () => {
  assert.deepEqual(plan({ last: 3000, pending: true }, 8000, 1000), { action: 'broadcast', state: { last: 8000, pending: false } });
});

test('a clock that stepped back (the window starts in the future): the join broadcasts at once, never waits the step out', () => {
  const hourAhead = 4000 + 3600000;
  assert.deepEqual(plan({ last: hourAhead, pending: false }, 4000, 1000), { action: 'broadcast', state: { last: 4000, pending: false } });
  assert.deepEqual(plan({ last: hourAhead, pending: true }, 4000, 1000), { action: 'broadcast', state: { last: 4000, pending: false } });
});

test('N joins in one window cost one leading and one trailing broadcast', () => {
  let state = null;
  const actions = [];
  for (let i = 0; i < 500; i++) {
    const decision = plan(state, 1000 + i, 1000);
    state = decision.state;
    actions.push(decision.action);
  }
  assert.equal(actions.filter((a) => a === 'broadcast').length, 1);
  assert.equal(actions.filter((a) => a === 'flush').length, 1);
});

test('the line reads naturally', () => {
  assert.equal(describe({ pages: 1, signedIn: 0 }), '1 page open · 0 signed in');
  assert.equal(describe({ pages: 3, signedIn: 2 }), '3 pages open · 2 signed in');
});
