// Recovery cost of ordered delivery: a subscriber on the extension's ordered key goes away,
// `missed` messages (1 KB each) are sent meanwhile, it comes back on a new stream with its old
// position: time from the reconnect to holding every missed message (stream open, subscription
// post, catch-up request, applied in order), measured with the extension's own ordering logic.

import { OrderedSubscriber } from '../../e2e/faults/ordered-raw.mjs';
import { fragment } from './wire.mjs';
import { nowMs } from './stats.mjs';

const until = async (check, timeoutMs) => {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('recovery did not complete in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

/** `{ missed, ms, catch_up_requests }` per count in `counts` (median of `rounds`). */
export async function measureRecovery(url, { counts = [10, 1000], rounds = 3 } = {}) {
  const rows = [];
  for (const missed of counts) {
    const times = [];
    let asked = 0;
    for (let round = 0; round < rounds; round++) {
      const topic = `recover-${missed}-${round}`;
      const first = new OrderedSubscriber(url, topic, { reconnect: false });
      await until(() => first.subscribed && first.order._n >= 0, 10000);
      const position = first.order._n;
      first.close();
      const res = await fetch(url + '/bench/burst', {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ topic, count: missed, html: fragment(round, nowMs()) }),
      });
      if (!res.ok) throw new Error(`/bench/burst answered ${res.status}`);
      const t = nowMs();
      const back = new OrderedSubscriber(url, topic, { reconnect: false });
      back.order._n = position; // the page kept its position across the reconnect
      await until(() => back.applied.length >= missed, 30000);
      times.push(nowMs() - t);
      asked += back.asked;
      back.close();
    }
    times.sort((a, b) => a - b);
    rows.push({ missed, ms: Math.round(times[Math.floor(times.length / 2)]), catch_up_requests: asked / rounds });
  }
  return rows;
}
