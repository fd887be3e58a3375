// sseSend inside a transaction: given the transaction's app, the message goes out when it
// commits and not at all when it rolls back (and the send does not wait on SQLite's writer).
import { test, expect, sdkClient, listen, post } from '../server-fixtures.mjs';

test('a send within a transaction goes out on commit, never on rollback', async ({ pb, htmxVersion }) => {
  test.skip(htmxVersion !== '2', 'server-only behaviour: one run is enough, the htmx version plays no part');
  const topic = 'tx-' + Date.now();
  const reader = await listen(sdkClient(pb.url), topic);
  const send = async (message, rollback) => (await post(pb.url + '/plain/send-in-tx', { topic, message, rollback })).json();

  const rolledBack = await send('rolled back', true);
  expect(rolledBack.error).toContain('rolled back on purpose');
  expect(rolledBack.result.subscribers).toBe(1);
  const committed = await send('committed', false);
  // seq 1: the rolled-back send's sequence number (and its log row) went with its transaction
  expect(committed).toEqual({ result: { subscribers: 1, delivered: 1, filtered: 0, seq: 1, direct: false }, error: '' });

  await reader.received('committed');
  // the rolled-back message was sent first; a later broadcast bounds the wait for it
  await send('last', false);
  await reader.received('last');
  expect(reader.messages).not.toContain('rolled back');
});
