// The token route of the Centrifugo engine: a page posts the topics it shows and gets a short
// connection token for Centrifugo holding exactly the channels it may receive.

import { bindCookieAuth, type CookieAuthOptions } from '../auth';
import { log } from '../log';
import type { RequestEvent } from '../pocketbase';
import { maySubscribe, type TopicRules } from '../rules';
import { checkTopic } from '../wire';
import { checkChannelTopic, connectionGrant, userOf } from './centrifugo-channels';
import { centrifugoInForce } from './centrifugo-config';

/** At most this many topics in one token (a page that shows more is doing something else). */
export const MAX_TOKEN_TOPICS = 128;

/** Options of the token route: the same topic rules as the subscribe hook, and cookie auth. */
export interface TokenRouteOptions extends CookieAuthOptions {
  /** Required: the topic rules (`{}` when every topic is public). Without them the route refuses every token. */
  rules?: TopicRules;
  /** Set false to ignore the session cookie (only an `Authorization` header signs in). Default true. */
  cookieAuth?: boolean;
}

/** What the route answers: the token, Centrifugo's address, channel -> topic, and the token's lifetime in seconds. */
export interface TokenAnswer {
  token: string;
  url: string;
  channels: Record<string, string>;
  ttl: number;
}

/** The topics of the request body `{ topics: [...] }`, checked; throws an Error saying what is wrong. */
export function readTopics(body: unknown, namespace: string): string[] {
  const topics = body && typeof body === 'object' ? (body as { topics?: unknown }).topics : undefined;
  if (!Array.isArray(topics)) throw new Error('body must be {"topics": [...]}');
  if (topics.length > MAX_TOKEN_TOPICS) throw new Error('at most ' + MAX_TOKEN_TOPICS + ' topics per token');
  const list = Array.prototype.slice.call(topics) as unknown[];
  return [...new Set(list.map((topic) => checkChannelTopic(namespace, checkTopic(topic))))];
}

/**
 * Handler of `POST /api/sse/centrifugo/token` with `{"topics": [...]}`. The caller's auth is
 * its `Authorization` header, or, without any such header and from the same origin, the
 * session cookie (as for realtime subscriptions). Every topic is checked against `rules` for
 * that auth: one refused topic refuses the request (403, naming it). Answers a connection token
 * (HS256, `exp` in `tokenTtl` seconds) whose server-side subscriptions are each topic's channel
 * and, for a signed-in user, that user's personal channel of each topic, recovery on.
 * Register it with the subscribe hook's rules:
 * `routerAdd('POST', '/api/sse/centrifugo/token', (e) => require('pocketpages-plugin-sse').centrifugoToken(e, { rules }))`.
 * Without `rules` it refuses every token (500, logged as an error): a route that forgot them
 * must not grant every topic (no subscribe hook re-checks Centrifugo's subscriptions).
 */
export function centrifugoToken(e: RequestEvent, options: TokenRouteOptions = {}): void {
  const config = centrifugoInForce();
  if (!options.rules || typeof options.rules !== 'object') {
    log.error('centrifugoToken needs { rules } (pass { rules: {} } when every topic is public); no token minted');
    return e.json(500, { status: 500, message: 'The token route has no topic rules.', data: {} });
  }
  if (!config) {
    log.warn('the Centrifugo token route was called, but no Centrifugo engine is configured');
    return e.json(404, { status: 404, message: 'No Centrifugo engine is configured.', data: {} });
  }
  let topics: string[];
  try {
    topics = readTopics(e.requestInfo().body, config.namespace);
  } catch (error) {
    return e.json(400, { status: 400, message: String((error as Error).message || error), data: {} });
  }
  const auth = e.auth || (options.cookieAuth === false ? null : bindCookieAuth(e, options)) || null;
  const rules = options.rules;
  const refused = topics.filter((topic) => !maySubscribe(rules, topic, auth));
  if (refused.length) {
    log.debug('Centrifugo token refused by the topic rules', 'topics', refused.slice(0, 3));
    return e.json(403, { status: 403, message: 'Not allowed to subscribe to: ' + refused.slice(0, 3).join(', '), data: { refused } });
  }
  const grant = connectionGrant(config.namespace, userOf(auth), topics);
  const token = $security.createJWT(grant.claims, config.tokenSecret, config.tokenTtl);
  const answer: TokenAnswer = { token, url: config.url, channels: grant.channels, ttl: config.tokenTtl };
  e.json(200, answer);
}
