// Ordered delivery, the recovery side: the catch-up route and the heads a subscription post
// answers with. Both run with the caller's current auth and re-check the topic rules.

import { authKey } from './filters';
import { readHeads, readSince } from './journal';
import { log } from './log';
import type { AuthRecord, RequestEvent, SubscribeRequestEvent } from './pocketbase';
import { catchUpAnswer, headsHeader, orderedTopic } from './replay';
import { mayReceive, mayReplayUnderNotedRules } from './recheck';
import { isGuarded, maySubscribe, type TopicRules } from './rules';
import { checkTopic } from './wire';

/** The response header of a subscription post that carries the heads of its ordered keys. */
export const HEADS_HEADER = 'X-Sse-Heads';

/** Options of the catch-up route: the same topic rules as the subscribe hook. */
export interface CatchUpOptions {
  /**
   * The subscribe hook's rules. Without them the route follows the rules `subscribe()` noted
   * (shortcut rules; a topic a function rule guards is refused; everything before the first
   * subscription post of the process).
   */
  rules?: TopicRules;
}

/**
 * Handler of `GET /api/sse/catchup?topic=<topic>&since=<seq>`: the sends of `topic` after
 * `since` that the caller may get, in order, and the head (see `catchUpAnswer`). The caller's
 * auth is the request's (its `Authorization` header), the topic rule is checked against it
 * (403 when refused), and another user's default-filtered sends are never included.
 * Register it next to the subscribe hook:
 * `routerAdd('GET', '/api/sse/catchup', (e) => require('pocketpages-plugin-sse').catchUp(e, { rules }))`.
 */
export function catchUp(e: RequestEvent, options: CatchUpOptions = {}): void {
  const query = e.requestInfo().query;
  const topic = String(query.topic || '');
  const since = Number(query.since);
  try {
    checkTopic(topic);
    if (!Number.isInteger(since)) throw new Error('since must be an integer');
  } catch (error) {
    return e.json(400, { message: String(error) });
  }
  const auth = e.auth || null;
  // without rules of its own, the route follows those the subscribe hook noted (never fail open)
  if (options.rules ? !maySubscribe(options.rules, topic, auth) : !mayReplayUnderNotedRules(topic, auth)) {
    log.debug('catch-up refused by the topic rule', 'topic', topic, 'rulesGiven', !!options.rules);
    return e.json(403, { message: 'topic refused' });
  }
  const { head, rows } = readSince(topic, since);
  const guarded = options.rules ? isGuarded(options.rules, topic) : mayReceive(topic) !== null;
  e.response.header().set('Cache-Control', 'no-store');
  return e.blob(200, 'application/json', catchUpAnswer(since, head, rows, { key: authKey(auth), bornAt: createdAt(auth), guarded }));
}

/** When `auth`'s record was created (ms), 0 for a guest or a collection without `created`. */
function createdAt(auth: AuthRecord | null): number {
  if (!auth) return 0;
  try {
    const at = Date.parse(auth.getString('created').replace(' ', 'T'));
    return at > 0 ? at : 0;
  } catch {
    return 0;
  }
}

/**
 * Puts the heads of the kept ordered keys on a subscription post's answer (read before the
 * subscription takes effect, so a page that starts there misses nothing: a gap after it is
 * caught up). Cross-origin pages may read it too.
 */
export function answerHeads(e: SubscribeRequestEvent, posted: string[], kept: string[]): void {
  const topics = kept.map(orderedTopic).filter((topic) => topic);
  if (!topics.length) return;
  try {
    // the subscribe event embeds its request event as a pointer: `e.response` is not there
    const header = (e.requestEvent || e).response.header();
    header.set(HEADS_HEADER, headsHeader(posted, kept, readHeads(topics)));
    header.set('Access-Control-Expose-Headers', HEADS_HEADER);
  } catch (error) {
    // the page then starts at its first message; the subscription itself goes on
    log.error('could not read the heads of the ordered keys', 'error', String(error));
  }
}
