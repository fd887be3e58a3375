// The PocketPages front door: `plugins: ['pocketpages-plugin-ejs', 'pocketpages-plugin-sse']`.

import { bindCookieAuth, isSubscribeRequest, offersUnverifiedToken, type CookieAuthOptions } from './auth';
import { Capture } from './capture';
import { createContext } from './context';
import { configureEngine, type EngineOptions } from './engines/centrifugo-config';
import { dropForeignCookieSession, dropNonAuthCookieSession, mayUseCookieSession } from './guard';
import { log } from './log';
import type { AuthRecord, RequestEvent } from './pocketbase';

/** Options given in `+config.js`: `{ name: 'pocketpages-plugin-sse', cookieAuth: false, allowedOrigins: [...] }`. */
export interface PluginOptions extends CookieAuthOptions {
  /** Set false to leave realtime subscriptions unauthenticated by the cookie. Default true. */
  cookieAuth?: boolean;
  /**
   * Set false to let pages see the cookie's user on POST/PUT/PATCH/DELETE from other origins.
   * Default true: such a request's page sees only an `Authorization` header's user, or a guest.
   */
  originCheck?: boolean;
  /** The engine sends go through, e.g. `{ centrifugo: { apiUrl, apiKey, tokenSecret, url } }`; default PocketBase's realtime. */
  engine?: EngineOptions;
  [key: string]: unknown;
}

/** The slice of PocketPages' request context the plugin reads. */
export interface PagesApi {
  request: { event: RequestEvent; auth?: AuthRecord | null; authToken?: string };
  auth?: AuthRecord | null;
  response: { json(status: number, data: unknown): void };
  [key: string]: unknown;
}

/** What PocketPages hands `onRender`: the output so far and which file it belongs to. */
export interface PagesRenderContext {
  content: string;
  api: PagesApi;
  filePath?: string;
  route?: { absolutePath?: string };
}

/** The plugin object PocketPages drives. */
export interface SsePlugin {
  name: string;
  onRequest(context: { request: { event: RequestEvent } }): void;
  onExtendContextApi(context: { api: PagesApi }): void;
  onRender(context: PagesRenderContext): string;
  onResponse(context: { api: PagesApi }): boolean;
}

/** True when an `onRender` call is for the page itself (not a partial it includes, not a layout). */
export function isPageRender(context: PagesRenderContext): boolean {
  const page = context.route && context.route.absolutePath;
  return !!page && context.filePath === page;
}

/**
 * PocketPages calls this factory for every request. Each call gets a fresh capture, so a
 * capture never outlives its request. The page's own output is kept when it has rendered and
 * broadcast in `onResponse`, i.e. only after the page and all its layouts rendered without
 * an error; the poster then gets `204 No Content`.
 */
export default function ssePlugin(_config: unknown, extra: Partial<PluginOptions> = {}): SsePlugin {
  const capture = new Capture();
  if (extra.engine) configureEngine(extra.engine);
  let pageOutput: string | null = null;
  return {
    name: 'sse',

    onRequest({ request }) {
      if (extra.cookieAuth !== false && isSubscribeRequest(request.event)) bindCookieAuth(request.event, extra);
    },

    onExtendContextApi({ api }) {
      if (extra.originCheck !== false) dropForeignCookieSession(api, extra.allowedOrigins);
      dropNonAuthCookieSession(api);
      const e = api.request.event;
      const auth = api.request.auth || api.auth || e.auth || null;
      const cookieCounts = () => extra.originCheck === false || mayUseCookieSession(e, extra.allowedOrigins); // as the guards above read it
      Object.assign(api, createContext(auth, capture, !auth && offersUnverifiedToken(e, cookieCounts, extra)));
    },

    onRender(context) {
      if (pageOutput === null && isPageRender(context)) pageOutput = context.content;
      return context.content;
    },

    onResponse({ api }) {
      if (!capture.requested) return false;
      if (pageOutput === null) {
        log.warn('sseSend(topic) was called but no page output was seen; nothing was broadcast');
        return false;
      }
      capture.flush(pageOutput);
      api.request.event.noContent(204);
      return true;
    },
  };
}
