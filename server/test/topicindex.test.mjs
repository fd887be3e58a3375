// Unit tests of the topic index's pure part: filing, refiling, removal, counters, sweep trigger.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  emptyIndex, slotOf, topicOf, topicsOf, setTopics, removeClient, countOf, idsOf, clientIds, needsSweep, noteSwept, SWEEP_SLACK_CHARS,
} from '../../.build/server/topicindex.mjs';

const never = () => false;

/** Checks the counters against the maps they count. */
function consistent(state) {
  let entries = 0;
  for (const topic of Object.keys(state.topics)) {
    const n = Object.keys(state.topics[topic]).length;
    assert.ok(n > 0, `no empty topic map is kept (${topic})`);
    assert.equal(state.counts[topic], n, `count of ${topic}`);
    entries += n;
  }
  assert.deepEqual(Object.keys(state.counts).sort(), Object.keys(state.topics).sort());
  assert.equal(state.entries, entries);
  assert.equal(state.size, Object.keys(state.clients).length);
  for (const id of Object.keys(state.clients)) {
    for (const topic of state.clients[id]) assert.equal(state.topics[slotOf(topic)][id], true, `${id} filed under ${topic}`);
  }
}

test('topics named like members of Object.prototype are filed, counted and unfiled like any other', () => {
  const state = emptyIndex();
  const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf'];
  setTopics(state, 'c1', topicsOf(names), never);
  setTopics(state, 'c2', topicsOf(['__proto__', 'plain']), never);
  for (const name of names) assert.deepEqual(idsOf(state, name).sort(), name === '__proto__' ? ['c1', 'c2'] : ['c1'], name);
  assert.equal(countOf(state, '__proto__'), 2);
  assert.deepEqual(topicsOf(['__proto__', 'constructor', '__proto__?options=x']), ['__proto__', 'constructor']);
  assert.equal(Object.getPrototypeOf(state.topics), Object.prototype, 'no topic set a prototype');
  consistent(state);
  removeClient(state, 'c1');
  assert.deepEqual(idsOf(state, 'constructor'), []);
  assert.equal(countOf(state, 'constructor'), 0);
  assert.deepEqual(idsOf(state, '__proto__'), ['c2']);
  consistent(state);
});

test('a subscription key names its topic up to the options', () => {
  assert.equal(topicOf('chat'), 'chat');
  assert.equal(topicOf('chat?options=%7B%7D'), 'chat');
  assert.equal(topicOf('user:1/x?options=a?b'), 'user:1/x');
  assert.deepEqual(topicsOf(['a', 'a?options=1', 'b', 'a?options=2', 'b']), ['a', 'b']);
});

test('filing clients under topics, and finding them', () => {
  const s = emptyIndex();
  setTopics(s, 'c1', ['chat', 'user:1'], never);
  setTopics(s, 'c2', ['chat'], never);
  assert.deepEqual(idsOf(s, 'chat').sort(), ['c1', 'c2']);
  assert.deepEqual(idsOf(s, 'user:1'), ['c1']);
  assert.deepEqual(idsOf(s, 'nobody'), []);
  assert.equal(countOf(s, 'chat'), 2);
  assert.equal(countOf(s, 'nobody'), 0);
  assert.deepEqual(clientIds(s).sort(), ['c1', 'c2']);
  consistent(s);
});

test('a new post replaces the topics: dropped ones are unfiled unless the client still holds them', () => {
  const s = emptyIndex();
  setTopics(s, 'c1', ['a', 'b', 'c'], never);
  setTopics(s, 'c1', ['c', 'd'], (topic) => topic === 'b');
  assert.deepEqual(idsOf(s, 'a'), []);
  assert.deepEqual(idsOf(s, 'b'), ['c1'], 'held again by a concurrent post: kept');
  assert.deepEqual(idsOf(s, 'd'), ['c1']);
  assert.deepEqual([...s.clients.c1].sort(), ['b', 'c', 'd']);
  assert.equal(s.topics.a, undefined, 'an emptied topic frees its map');
  consistent(s);
});

test('a post with no topics unfiles the client', () => {
  const s = emptyIndex();
  setTopics(s, 'c1', ['a'], never);
  setTopics(s, 'c1', [], never);
  assert.equal(s.size, 0);
  assert.equal(s.entries, 0);
  assert.deepEqual(s.topics, {});
  setTopics(s, 'c2', [], never);
  assert.equal(s.size, 0, 'a client with no topics is never filed');
  consistent(s);
});

test('the same post twice changes nothing', () => {
  const s = emptyIndex();
  setTopics(s, 'c1', ['a', 'b'], never);
  setTopics(s, 'c1', ['a', 'b'], never);
  assert.equal(s.entries, 2);
  assert.equal(s.size, 1);
  consistent(s);
});

test('removing a client takes it out of every topic; unknown ids are ignored', () => {
  const s = emptyIndex();
  setTopics(s, 'c1', ['a', 'b'], never);
  setTopics(s, 'c2', ['b'], never);
  removeClient(s, 'c1');
  removeClient(s, 'c1');
  removeClient(s, 'nobody');
  assert.deepEqual(idsOf(s, 'b'), ['c2']);
  assert.deepEqual(idsOf(s, 'a'), []);
  consistent(s);
});

test('many clients coming and going leave exactly the live ones', () => {
  const s = emptyIndex();
  const live = new Set();
  for (let i = 0; i < 5000; i++) {
    const id = 'c' + i;
    setTopics(s, id, ['chat', 'user:' + (i % 50), 'room:' + (i % 7)], never);
    live.add(id);
    if (i % 3 === 0) setTopics(s, id, ['chat'], never);
    if (i % 2 === 0) {
      removeClient(s, id);
      live.delete(id);
    }
  }
  assert.equal(s.size, live.size);
  assert.equal(countOf(s, 'chat'), live.size);
  assert.deepEqual(new Set(idsOf(s, 'chat')), live);
  consistent(s);
});

test('a sweep is due once a quarter more clients are filed than connected (at least 64)', () => {
  const s = emptyIndex();
  for (let i = 0; i < 100; i++) setTopics(s, 'c' + i, ['t'], never);
  assert.equal(needsSweep(s, 100), false);
  assert.equal(needsSweep(s, 36), false, '100 <= 36 + 64');
  assert.equal(needsSweep(s, 35), true);
  for (let i = 100; i < 1000; i++) setTopics(s, 'c' + i, ['t'], never);
  assert.equal(needsSweep(s, 800), false, '1000 <= 800 + 200');
  assert.equal(needsSweep(s, 799), true);
});

test('the entries weigh their topics\' characters; a sweep is due once they weigh a quarter (at least SWEEP_SLACK_CHARS) over the last sweep\'s', () => {
  const s = emptyIndex();
  const heavy = (tag) => Array.from({ length: 1000 }, (_, i) => 'x'.repeat(2400) + tag + i);
  setTopics(s, 'live', ['chat', 'user:1'], never);
  assert.equal(s.chars, 10);
  setTopics(s, 'guest', heavy('a'), never);
  const one = s.chars - 10;
  assert.ok(one > SWEEP_SLACK_CHARS, 'one such guest is over the slack');
  assert.equal(needsSweep(s, 2), true, 'two clients filed, two connected: due by weight alone');
  noteSwept(s); // the guest was still connected
  assert.equal(needsSweep(s, 2), false);
  setTopics(s, 'guest', heavy('b'), never); // the same weight again: refiled, not added
  assert.equal(s.chars - 10, one);
  setTopics(s, 'guest2', heavy('c'), never);
  assert.equal(needsSweep(s, 3), true, 'a second guest weighs over a quarter more than at the sweep');
  removeClient(s, 'guest');
  removeClient(s, 'guest2');
  assert.equal(s.chars, 10, 'removal takes the weight back');
  setTopics(s, 'live', ['chat'], never);
  assert.equal(s.chars, 4);
  consistent(s);
});
