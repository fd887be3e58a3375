// The plain pb_hooks front door: route handlers, the subscribe hook, sends from anywhere.

import { Capture } from './capture';
import { answerHeads } from './catchup';
import { createContext, type SseContext } from './context';
import { busTopicTest } from './delivery';
import { log } from './log';
import type { RequestEvent, SubscribeRequestEvent } from './pocketbase';
import { maySubscribe, type TopicRules } from './rules';
import { SseError } from './wire';

/** Options of the realtime subscribe hook. */
export interface SubscribeOptions {
  /** Topic rules checked for every subscription key. */
  rules?: TopicRules;
}

/**
 * Body of `onRealtimeSubscribeRequest`: drops the subscriptions the rules refuse for the
 * request's auth, and those naming the hidden bus collection's records (with a debug log),
 * answers the heads of the extension's ordered keys, then continues. Call it as the hook's whole body.
 * (Auth comes from the `Authorization` header, or from the PocketPages plugin's cookie
 * binding, which runs earlier, before PocketBase compares it with the client's bound auth.)
 */
export function subscribe(e: SubscribeRequestEvent, options: SubscribeOptions = {}): void {
  const rules = options.rules;
  const auth = e.auth || null;
  const wanted = e.subscriptions || [];
  const isBusTopic = busTopicTest();
  const kept = wanted.filter((key) => !isBusTopic(key) && (!rules || maySubscribe(rules, key, auth)));
  if (kept.length !== wanted.length) {
    log.debug('subscriptions refused (topic rules, or the hidden bus collection)', 'clientId', e.client.id(),
      'refused', wanted.filter((key) => kept.indexOf(key) < 0));
    e.subscriptions = kept;
  }
  answerHeads(e, wanted, kept); // ordered delivery: where each ordered key starts
  e.next();
}

/** What `page()` hands its render function. */
export interface PageContext extends SseContext {
  /** The PocketBase request event. */
  e: RequestEvent;
  /** The signed-in user, or null. */
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
  const context: PageContext = {
    ...createContext(e.auth, capture),
    e,
    auth: e.auth,
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

/** Per-request send functions bound to the request's auth (default filter: same user only). */
export function forRequest(e: RequestEvent): SseContext {
  return createContext(e.auth, noCapture);
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
