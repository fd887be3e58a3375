// The plain pb_hooks front door: route handlers, the subscribe hook, sends from anywhere.

import { cookieUser, isSameOrigin, offersUnverifiedToken } from './auth';
import { Capture } from './capture';
import { answerHeads } from './catchup';
import { createContext, type SseContext } from './context';
import { cachedKeys, stateOf } from './clientstate';
import { busTopicTest } from './delivery';
import { noteOtherSenders } from './engines/direct';
import { log } from './log';
import type { AuthRecord, RequestEvent, SubscribeRequestEvent } from './pocketbase';
import { rememberRules } from './recheck';
import type { TopicRules } from './rules';
import { screenKeys, type Refusal } from './screen';
import { queueSubscriptions, turnTopicIndexOff } from './topicindex-store';
import { noteOutsideApp } from './txsends';
import { SseError } from './wire';

/** Options of the realtime subscribe hook. */
export interface SubscribeOptions {
  /** Topic rules checked for every subscription key, and again at send time. */
  rules?: TopicRules;
  /**
   * `false` turns the topic index off for the whole process (every send walks all clients, as
   * without `subscribe()`); default on.
   */
  index?: boolean;
  /** Most bytes of keys (UTF-8) one client may hold, summed (default `MAX_KEY_BYTES`, 262,144); the keys past it are refused. */
  maxKeyBytes?: number;
}

/**
 * Body of `onRealtimeSubscribeRequest`: drops the subscription keys a client may not hold (see
 * `screenKeys`: control characters, the hidden bus collection, topic rules, more than
 * `MAX_KEYS_PER_TOPIC` keys of one topic, keys past `MAX_KEY_BYTES` bytes), logs what it dropped, notes the rules and the
 * client's auth for the send-time re-check, answers the heads of the extension's ordered keys,
 * continues, and queues the client for the topic index once PocketBase applied the post (sends
 * then look at the topic's subscribers only). Call it as the hook's whole body, for every
 * subscription post: clients that never went through it are not found by the index.
 * (Auth comes from the `Authorization` header, or from the PocketPages plugin's cookie
 * binding, which runs earlier, before PocketBase compares it with the client's bound auth.)
 */
export function subscribe(e: SubscribeRequestEvent, options: SubscribeOptions = {}): void {
  const auth = e.auth || null;
  const wanted = Array.prototype.slice.call(e.subscriptions || []) as string[]; // a Go slice
  const screened = screenKeys(wanted, { auth, rules: options.rules, isBusTopic: busTopicTest(), maxKeyBytes: options.maxKeyBytes });
  if (screened.kept.length !== wanted.length) {
    for (const reason of Object.keys(screened.refused) as Refusal[]) {
      const refused = screened.refused[reason] || [];
      const loud = reason !== 'bus collection' && reason !== 'topic rule';
      log[loud ? 'warn' : 'debug']('subscription keys refused: ' + reason, 'clientId', e.client.id(),
        'count', refused.length, 'first', refused.slice(0, 3).map((key) => JSON.stringify(key.slice(0, 120))));
    }
    e.subscriptions = screened.kept;
  }
  rememberRules(options.rules, e.client, auth);
  answerHeads(e, wanted, screened.kept); // ordered delivery: where each ordered key starts
  noteOutsideApp($app); // its read connection, for sends in model hooks' transactions (txsends.ts)
  // before PocketBase applies the keys: a client that holds or held a collection's key never goes direct
  noteOtherSenders(e.client, screened.kept.concat(cachedKeys(stateOf(e.client)) ?? Object.keys(e.client.subscriptions())), $app);
  try {
    e.next();
  } finally {
    // filed from what the client holds now, so also right when a later hook threw
    if (options.index === false) turnTopicIndexOff();
    else queueSubscriptions(e.client);
  }
}

/** What `page()` hands its render function. */
export interface PageContext extends SseContext {
  /** The PocketBase request event. */
  e: RequestEvent;
  /** The signed-in user (`e.auth`, else the user of a same-origin `pb_auth` cookie session), or null. */
  auth: RequestEvent['auth'];
  /** The parsed request body (JSON or form). */
  body(): Record<string, unknown>;
}

/**
 * Runs a route handler like a PocketPages page: `render` returns HTML and may call
 * `sseSend(topic)` to broadcast that HTML once it has rendered. With a capture, the poster
 * gets `204 No Content` (htmx swaps nothing); without, the HTML with 200. When `render`
 * throws, nothing is broadcast and the error propagates to PocketBase.
 */
export function page(e: RequestEvent, render: (context: PageContext) => unknown): void {
  const capture = new Capture();
  const auth = senderOf(e);
  const context: PageContext = {
    ...createContext(auth, capture, unverifiedSender(e, auth)),
    e,
    auth,
    body: () => e.requestInfo().body,
  };
  const output = render(context);
  const html = output === undefined || output === null ? '' : String(output);
  if (capture.requested) {
    capture.flush(html);
    return e.noContent(204);
  }
  return e.html(200, html);
}

/**
 * Per-request send functions bound to the request's user (default filter: same user only):
 * `e.auth`, or without one the user of a same-origin `pb_auth` session cookie (`cookieUser`), so
 * a page signed in by cookie never sends its user's messages as a guest's. A request that
 * offers a token that does not verify (expired, forged) sends as nobody by default, not as a guest.
 */
export function forRequest(e: RequestEvent): SseContext {
  const auth = senderOf(e);
  return createContext(auth, noCapture, unverifiedSender(e, auth));
}

/** True when a request without a sender offered a token that did not verify (its cookie counts where `cookieUser` reads it). */
function unverifiedSender(e: RequestEvent, auth: AuthRecord | null): boolean {
  return !auth && offersUnverifiedToken(e, () => isSameOrigin(e));
}

/** Who sends for a request: `e.auth`, else its cookie session's user (not bound to `e`), else a guest. */
function senderOf(e: RequestEvent): AuthRecord | null {
  return e.auth || cookieUser(e);
}

const noCapture = {
  request() {
    throw new SseError('capture mode (sseSend(topic)) needs a page: use page(e, render), or pass a message');
  },
} as unknown as Capture;

const anonymous = createContext(null, noCapture);

/**
 * Sends from anywhere (cron jobs, record hooks): an anonymous sender, so every subscriber
 * passing the filter receives it.
 */
export const sseSend = anonymous.sseSend;
export const send = anonymous.send;
