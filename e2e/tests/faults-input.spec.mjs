// Bad input: hostile messages, topics and filters given to sseSend, a template that throws
// mid-capture, sends outside any request, malformed data reaching the extension, and
// sse-swap elements without topics. Nothing may crash the hook VM, be half-sent, or fail
// without naming its cause.
import { test, expect, step, call, waitOpen, sdkClient, quietInterval } from '../faults/fixtures.mjs';
import { RawSubscriber } from '../faults/raw.mjs';

const serverOnly = ({ htmxVersion }) => htmxVersion !== '2';

/** The ordered-delivery suffix of a subscription key (the extension's). */
const ORDERED_KEY = '?options=%7B%22sse%22%3A1%7D';

/** A raw subscriber of `topics`, resolved once PocketBase holds its subscriptions. */
async function subscriber(pb, topics, options) {
  const raw = new RawSubscriber(pb.url, topics, { reconnect: false, ...options });
  await expect.poll(() => raw.subscribed).toBe(true);
  return raw;
}

/**
 * Sends an anonymous marker on `topic`, waits for it and then QUIET_MS more (a message sent
 * before the marker may still land after it): what else arrived on the topic.
 */
async function sentinel(pb, raw, topic) {
  const marker = `sentinel-${Math.random().toString(36).slice(2)}`;
  await call(pb, '/faults/send', { topic, message: marker, anonymous: true });
  await expect.poll(() => raw.received(topic).includes(JSON.stringify(marker))).toBe(true);
  await quietInterval();
  return raw.received(topic).filter((d) => !d.startsWith('"sentinel-'));
}

test.describe('server kit', () => {
  test.skip(serverOnly, 'no browser involved: runs once, under htmx2');

  test('sseSend with hostile messages: refused with the cause named, or sent whole as one JSON line', async ({ pb }) => {
    const raw = await subscriber(pb, ['in']);
    const refused = {
      undefined: /message must be a string or JSON value, got undefined/,
      // a function in the message's place is the capture-mode filter (sseSend(topic, filter))
      function: /capture mode \(sseSend\(topic\)\) needs a page/,
      symbol: /message must be a string or JSON value, got symbol/,
      cycle: /message cannot be encoded as JSON/,
    };
    for (const [kind, cause] of Object.entries(refused)) {
      await step(`sseSend('in', <${kind}>)`, (r) => `refused: ${r.error.replace(/^.*?pocketpages-plugin-sse: /, '')}`.slice(0, 120), async () => {
        const r = await call(pb, '/faults/send', { topic: 'in', kind, anonymous: true });
        expect(r.error).toMatch(cause);
        return r;
      });
    }
    const accepted = {
      null: 'null',
      number: '42.5',
      nan: 'null',
      object: '{"html":"<b>x</b>","n":1}',
      pair: JSON.stringify('a\uD83D\uDE00b'),
      linebreaks: '"one\\r\\n\\r\\nevent: injected\\ndata: two\\u2028three"',
    };
    for (const [kind, wire] of Object.entries(accepted)) {
      await step(`sseSend('in', <${kind}>)`, `sent as one line: ${wire.slice(0, 60)}`, async () => {
        // compare the message this send added, not any earlier one (null and NaN look alike on the wire)
        const before = raw.received('in').length;
        const r = await call(pb, '/faults/send', { topic: 'in', kind, anonymous: true });
        expect(r.result).toEqual({ subscribers: 1, delivered: 1, filtered: 0, seq: expect.any(Number), direct: expect.any(Boolean) });
        await expect.poll(() => raw.received('in').length).toBe(before + 1);
        expect(raw.received('in')[before]).toBe(wire);
      });
    }
    await step("sseSend('in', <1 MB string>)", 'sent whole: one event of 1,048,578 bytes', async () => {
      const r = await call(pb, '/faults/send', { topic: 'in', kind: 'megabyte', anonymous: true });
      expect(r.result.delivered).toBe(1);
      await expect.poll(() => raw.received('in').some((d) => d.length === 1024 * 1024 + 2)).toBe(true);
    });
    const lone = (d) => (d.includes('\\ud800') ? 'the JSON escape \\ud800 (JSON.parse gives the lone surrogate back)' : `${JSON.stringify(d)} (not escaped)`);
    await step("sseSend('in', 'a' + lone surrogate U+D800 + 'b')", (d) => `sent as valid JSON; on the wire: ${lone(d)}`, async () => {
      const r = await call(pb, '/faults/send', { topic: 'in', kind: 'lone', anonymous: true });
      expect(r.result.delivered).toBe(1);
      let data;
      await expect.poll(() => (data = raw.received('in').find((d) => d.startsWith('"a') && d.endsWith('b"') && d.length < 20 && d !== accepted.pair))).toBeTruthy();
      expect(() => JSON.parse(data)).not.toThrow();
      return data;
    });
    await step('after every refusal: nothing half-sent, no injected event, the VM still sends', 'the subscriber holds exactly the accepted messages', async () => {
      const got = await sentinel(pb, raw, 'in');
      expect(got.length).toBe(Object.keys(accepted).length + 2);
      expect(raw.messages.every((m) => m.topic === 'in')).toBe(true); // no `injected` event
    });
    await step('an uncaught SseError in a route', (r) => `HTTP ${r.status}; the next request is served`, async () => {
      const r = await call(pb, '/faults/send-uncaught', { topic: 'bad?x', message: 'x' });
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect((await call(pb, '/faults/send', { topic: 'in', message: 'after', anonymous: true })).result.delivered).toBe(1);
      return r;
    });
    raw.close();
  });

  test('topics: empty, too long, "?", non-strings refused; "/", "*", unicode and 2500 characters are exact topics', async ({ pb }) => {
    const refused = [
      ['empty', '', /topic must not be empty/],
      ['2501 characters', 't'.repeat(2501), /topic is longer than 2500 characters/],
      ['with "?"', 'chat?options=x', /topic must not contain "\?"/],
      ['a line break', 'a\nb', /topic must not contain line breaks/],
      ['a number', 42, /topic must be a string, got number/],
      ['null', null, /topic must be a string, got null/],
    ];
    for (const [name, topic, cause] of refused) {
      await step(`sseSend(<topic ${name}>, 'x')`, (r) => `refused: ${r.error.replace(/^.*?pocketpages-plugin-sse: /, '').slice(0, 70)}`, async () => {
        const r = await call(pb, '/faults/send', { topic, message: 'x', anonymous: true });
        expect(r.error).toMatch(cause);
        return r;
      });
    }
    const exact = ['a/b', 'a/*', 'ünï/话题✓', 'T'.repeat(2500)];
    const raws = await Promise.all(exact.map((t) => subscriber(pb, [t])));
    for (let i = 0; i < exact.length; i++) {
      const topic = exact[i];
      const label = topic.length > 20 ? `<${topic.length} characters>` : topic;
      await step(`sseSend('${label}', ...) with subscribers of ${exact.length} look-alike topics`, 'only the exact topic\'s subscriber gets it', async () => {
        const r = await call(pb, '/faults/send', { topic, message: `for ${i}`, anonymous: true });
        expect(r.result).toEqual({ subscribers: 1, delivered: 1, filtered: 0, seq: expect.any(Number), direct: expect.any(Boolean) });
        await expect.poll(() => raws[i].received(topic)).toEqual([JSON.stringify(`for ${i}`)]);
      });
    }
    await step('after all: no look-alike topic got another one\'s message', 'each subscriber holds only its own', async () => {
      for (let i = 0; i < exact.length; i++) expect(await sentinel(pb, raws[i], exact[i])).toEqual([JSON.stringify(`for ${i}`)]);
    });
    await step('POST /api/realtime with 1001 topics at once', (s) => `PocketBase answers ${s}; the client keeps its previous topics`, async () => {
      const raw = raws[0];
      const res = await fetch(pb.url + '/api/realtime', {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ clientId: raw.clientId, subscriptions: Array.from({ length: 1001 }, (_, i) => `many${i}`) }),
      });
      expect(res.status).toBe(400);
      const mine = (await (await fetch(pb.url + '/faults/clients')).json()).find((c) => c.id === raw.clientId);
      expect(mine.topics).toEqual(['a/b']);
      return res.status;
    });
    for (const raw of raws) raw.close();
  });

  test('topics named like members of Object.prototype ("constructor", "__proto__", "toString"): delivered, numbered and caught up like any other', async ({ pb }) => {
    const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty'];
    const raws = await Promise.all(names.map((t) => subscriber(pb, [t])));
    for (let i = 0; i < names.length; i++) {
      await step(`sseSend('${names[i]}', ...) with a subscriber of it`, 'delivered to it (the topic index files it like any topic)', async () => {
        const r = await call(pb, '/faults/send', { topic: names[i], message: `to ${names[i]}`, anonymous: true });
        expect(r.result).toMatchObject({ subscribers: 1, delivered: 1 });
        await expect.poll(() => raws[i].received(names[i])).toEqual([JSON.stringify(`to ${names[i]}`)]);
      });
    }
    await step('a subscription post of their ordered keys, and GET /api/sse/catchup?topic=__proto__&since=0', 'the heads answer is a number per key (1 each), the catch-up answers 200 with the logged send', async () => {
      const raw = raws[0];
      const res = await fetch(pb.url + '/api/realtime', {
        method: 'POST', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ clientId: raw.clientId, subscriptions: names.map((t) => t + ORDERED_KEY) }),
      });
      expect(res.status).toBe(204);
      expect(res.headers.get('X-Sse-Heads')).toBe('1,1,1,1');
      const up = await fetch(pb.url + '/api/sse/catchup?topic=__proto__&since=0');
      expect(up.status).toBe(200);
      expect(await up.json()).toMatchObject({ h: 1, r: [[1, 'to __proto__']] });
    });
    for (const raw of raws) raw.close();
  });

  test('filters that throw, return non-booleans, or are not functions', async ({ pb }) => {
    const raw = await subscriber(pb, ['flt']);
    for (const filter of ['throws', 'truthy', 'one', 'object']) {
      await step(`filter '${filter}' (${{ throws: 'throws', truthy: "returns 'yes'", one: 'returns 1', object: 'returns {}' }[filter]})`, 'counts as false: filtered 1, delivered 0', async () => {
        const r = await call(pb, '/faults/send', { topic: 'flt', message: filter, filter, anonymous: true });
        expect(r.result).toEqual({ subscribers: 1, delivered: 0, filtered: 1, seq: expect.any(Number), direct: expect.any(Boolean) });
      });
    }
    await step("filter 'not a function' (a string)", (r) => `refused: ${r.error.replace(/^.*?pocketpages-plugin-sse: /, '')}`, async () => {
      const r = await call(pb, '/faults/send', { topic: 'flt', message: 'x', filter: 'notFunction', anonymous: true });
      expect(r.error).toMatch(/filter must be a function or \{ filter \}, got string/);
      return r;
    });
    await step('after the bad filters', 'nothing arrived', async () => expect(await sentinel(pb, raw, 'flt')).toEqual([]));
    raw.close();
  });

  test('a filter that throws for every one of 20 guest connections: one log line per send, not one per connection', async ({ pb, users }) => {
    const topic = `flt-many-${Math.random().toString(36).slice(2, 8)}`;
    const raws = await Promise.all(Array.from({ length: 20 }, () => subscriber(pb, [topic])));
    const lines = async () => {
      const filter = encodeURIComponent(`message ~ 'filter threw' && data.topic = '${topic}'`);
      const res = await fetch(`${pb.url}/api/logs?perPage=100&filter=${filter}`, { headers: { Authorization: users.superuser.token } });
      return (await res.json()).items || [];
    };
    await step('3 sends whose filter throws for each of the topic\'s 20 subscribers (guests opening connections)', (n) => `${n} warning lines in PocketBase's log, each naming the topic, the count (20) and the first error`, async () => {
      for (let i = 0; i < 3; i++) {
        const r = await call(pb, '/faults/send', { topic, message: 'x', filter: 'throws', anonymous: true });
        expect(r.result).toMatchObject({ subscribers: 20, delivered: 0, filtered: 20 });
      }
      await expect.poll(async () => (await lines()).length, { timeout: 15_000 }).toBeGreaterThanOrEqual(3);
      await quietInterval(); // logs are written in batches: a fourth line would come with these
      const found = await lines();
      expect(found).toHaveLength(3);
      for (const line of found) expect(line.data).toMatchObject({ topic, clients: 20, error: expect.stringContaining('filter failed on purpose') });
      return found.length;
    });
    for (const raw of raws) raw.close();
  });

  test('a Go template that fails mid-render after sseSend(topic): nothing is broadcast', async ({ pb }) => {
    const raw = await subscriber(pb, ['cap']);
    await step('capture, then the template fails half-way (index out of range)', (r) => `HTTP ${r.status}, nothing broadcast`, async () => {
      const r = await call(pb, '/faults/capture', { topic: 'cap', text: 'half' });
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(await sentinel(pb, raw, 'cap')).toEqual([]);
      return r;
    });
    await step('the next capture on the same server', 'HTTP 204, only its own output broadcast', async () => {
      const r = await call(pb, '/faults/capture', { topic: 'cap', text: 'whole', ok: true });
      expect(r.status).toBe(204);
      expect(await sentinel(pb, raw, 'cap')).toEqual([JSON.stringify('<p>whole</p>')]);
    });
    raw.close();
  });

  test('sseSend outside a request: from a cron job and from a record hook, in both modes', async ({ pb, users }) => {
    const raw = await subscriber(pb, ['out']);
    const admin = sdkClient(pb.url, users.superuser);
    const triggers = {
      cron: async () => {
        const res = await fetch(pb.url + '/api/crons/faults-outside', { method: 'POST', headers: { Authorization: users.superuser.token } });
        expect(res.status).toBe(204);
      },
      hook: async () => {
        const email = `hook-${Math.random().toString(36).slice(2)}@faults.test`;
        await admin.collection('users').create({ email, password: 'hook-password-1', passwordConfirm: 'hook-password-1' });
      },
    };
    for (const where of ['cron', 'hook']) {
      for (const mode of ['now', 'capture']) {
        const expected = mode === 'now' ? 'sent anonymously to every subscriber' : 'refused: capture mode needs a page';
        await step(`sseSend from a ${where === 'cron' ? 'cron job' : 'record hook'}, ${mode === 'now' ? "send now ('out', msg)" : "capture ('out')"}`, expected, async () => {
          await call(pb, '/faults/outside', { topic: 'out', mode, where });
          await triggers[where]();
          let outcome;
          await expect.poll(async () => (outcome = (await (await fetch(`${pb.url}/faults/outside/${where}`)).json()).outcome)).toBeTruthy();
          outcome = JSON.parse(outcome);
          if (mode === 'now') {
            expect(outcome.result).toEqual({ subscribers: 1, delivered: 1, filtered: 0, seq: expect.any(Number), direct: expect.any(Boolean) });
            await expect.poll(() => raw.received('out')).toContain(JSON.stringify(where === 'cron' ? 'from cron' : 'from a record hook'));
          } else {
            expect(outcome.error).toMatch(/capture mode \(sseSend\(topic\)\) needs a page/);
          }
        });
      }
    }
    await step('after the four sends', 'exactly the two send-now messages arrived', async () => {
      expect((await sentinel(pb, raw, 'out')).sort()).toEqual([JSON.stringify('from a record hook'), JSON.stringify('from cron')]);
    });
    raw.close();
  });
});

test('malformed data on the stream reaching the extension: swapped as text or not at all, never an error', async ({ open, pb }) => {
  const { page } = await open('faults.html');
  await waitOpen(page);
  const lastMessage = () => page.evaluate(() => {
    const last = window.sseLog.filter((e) => e.name === 'htmx:sseMessage').pop();
    return { topic: last.topic, data: last.data };
  });
  const cases = [
    ['not JSON: <i>plain</i>', '<i>plain</i>', 'swapped as raw HTML', async () => expect(page.locator('#raw i')).toHaveText('plain')],
    ['truncated JSON: {"a":', '{"a":', 'swapped as raw text', async () => expect(page.locator('#raw')).toHaveText('{"a":')],
    ['a JSON string: "<b>ok</b>"', '"<b>ok</b>"', 'unwrapped and swapped', async () => expect(page.locator('#raw b')).toHaveText('ok')],
    ['JSON null', 'null', 'not swapped; htmx:sseMessage carries null', async () => {
      await expect(page.locator('#raw b')).toHaveText('ok');
      expect(await lastMessage()).toEqual({ topic: 'raw', data: null });
    }],
    ['a JSON array', '[1,{"x":2}]', 'not swapped; htmx:sseMessage carries the array', async () => {
      await expect(page.locator('#raw b')).toHaveText('ok');
      expect(await lastMessage()).toEqual({ topic: 'raw', data: [1, { x: 2 }] });
    }],
    ['200 KB of unquoted text', 'z'.repeat(200_000), 'swapped as raw text', async () => expect(page.locator('#raw')).toHaveText('z'.repeat(200_000))],
    ['a stray unicode escape: "\\ud800"', '"\\ud800"', 'swapped as the replacement text', async () => expect.poll(() => page.locator('#raw').textContent()).toHaveLength(1)],
  ];
  for (const [tried, data, happened, check] of cases) {
    await step(`stream data ${tried}`, happened, async () => {
      const before = (await page.evaluate(() => window.sseLog.filter((e) => e.name === 'htmx:sseMessage').length));
      expect((await call(pb, '/faults/raw', { topic: 'raw', data })).sent).toBe(1);
      await expect.poll(() => page.evaluate(() => window.sseLog.filter((e) => e.name === 'htmx:sseMessage').length)).toBe(before + 1);
      await check();
    });
  }
  await step('after the malformed messages', 'the page still swaps the next good one; no console error', async () => {
    expect((await call(pb, '/faults/send', { topic: 'feed', message: '<li>good</li>', anonymous: true })).result.delivered).toBe(1);
    await expect(page.locator('#feed li')).toHaveText(['good']);
  });
});

test('sse-swap elements without topics open no connection and log no error', async ({ open, pb }) => {
  const { page, requests } = await open('empty.html');
  await step('sse-swap="", " , ,, ", data-sse-swap="   ", hx-trigger="sse:"', 'no realtime request, no subscriber, no console error', async () => {
    await page.waitForLoadState('load');
    expect(await page.evaluate(() => window.PocketBaseSSE.stats())).toEqual({ connections: 0, subscribers: 0, listeners: 0, topics: [] });
    expect(requests.filter((r) => r.includes('/api/realtime'))).toEqual([]);
  });
  await step('then one element with a topic is added (control)', 'one connection opens for it', async () => {
    await page.evaluate(() => {
      const el = document.createElement('div');
      el.id = 'late';
      el.setAttribute('sse-swap', 'feed');
      document.getElementById('root').appendChild(el);
      htmx.process(el);
    });
    await waitOpen(page);
    expect((await call(pb, '/faults/send', { topic: 'feed', message: 'late', anonymous: true })).result.delivered).toBeGreaterThanOrEqual(1);
    await expect(page.locator('#late')).toHaveText('late');
    expect(requests.filter((r) => r.startsWith('GET') && r.includes('/api/realtime'))).toHaveLength(1);
  });
});

test('a page asking for more topics than PocketBase takes (1002, and one of 2501 characters) keeps working', async ({ open, pb }) => {
  const { page, errors } = await open('faults.html');
  const warnings = [];
  page.on('console', (msg) => msg.type() === 'warning' && warnings.push(msg.text()));
  await waitOpen(page);
  await step('1000 more sse-swap elements added to a page already on 2 topics, plus one topic of 2501 characters', 'the too-long topic and the topics past 1000 are left out with a console warning naming the limit; the first 1000 stay subscribed; no red console line', async () => {
    await page.evaluate(() => {
      const root = document.getElementById('root');
      const add = (topic) => {
        const el = document.createElement('p');
        el.setAttribute('sse-swap', topic);
        root.appendChild(el);
        htmx.process(el);
      };
      add('L'.repeat(2501));
      for (let i = 0; i < 1000; i++) add('many' + i);
    });
    await expect.poll(async () => (await (await fetch(pb.url + '/faults/clients')).json()).find((c) => c.topics.includes('feed'))?.topics.length).toBe(1000);
    await expect(page.locator('#root')).not.toHaveClass(/sse-disconnected/);
    expect(warnings.some((w) => /2500/.test(w))).toBe(true);
    expect(warnings.some((w) => /1000/.test(w))).toBe(true);
    expect((await call(pb, '/faults/send', { topic: 'feed', message: '<li>still here</li>', anonymous: true })).result.delivered).toBe(1);
    await expect(page.locator('#feed li')).toHaveText(['still here']);
    expect(errors).toEqual([]);
  });
});
