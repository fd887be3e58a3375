// The PocketPages front door: `plugins: ['pocketpages-plugin-ejs', 'pocketpages-plugin-sse']`.

import { bindCookieAuth, isSubscribeRequest, type CookieAuthOptions } from './auth';
import { Capture } from './capture';
import { createContext } from './context';
import type { RequestEvent } from './pocketbase';

/** Options given in `+config.js`: `{ name: 'pocketpages-plugin-sse', cookie: {...} }`. */
export interface PluginOptions extends CookieAuthOptions {
  /** Set false to leave realtime subscriptions unauthenticated by the cookie. */
  cookieAuth?: boolean;
  [key: string]: unknown;
}

interface PagesApi {
  request: { event: RequestEvent; auth?: RequestEvent['auth'] };
  response: { header(name: string, value?: string): unknown };
  [key: string]: unknown;
}

/**
 * PocketPages calls this factory for every request. Each call gets a fresh capture, so a
 * capture never outlives its request.
 */
export default function ssePlugin(_config: unknown, extra: Partial<PluginOptions> = {}) {
  const capture = new Capture();
  let pageRendered = false;
  let broadcast = false;
  return {
    name: 'sse',

    /** Binds the cookie session to `POST /api/realtime` (same origin, auth tokens only). */
    onRequest({ request }: { request: { event: RequestEvent } }) {
      if (extra.cookieAuth !== false && isSubscribeRequest(request.event)) bindCookieAuth(request.event, extra);
    },

    /** Adds `sseSend`, `send` and `realtime` to the page context. */
    onExtendContextApi({ api }: { api: PagesApi }) {
      Object.assign(api, createContext(api.request.auth ?? api.request.event.auth, capture));
    },

    /** The first render of a request is the page itself (layouts come later): broadcast it. */
    onRender({ content }: { content: string }) {
      if (!pageRendered) {
        pageRendered = true;
        if (capture.requested) {
          capture.flush(content);
          broadcast = true;
        }
      }
      return content;
    },

    /** After a capture, the poster gets 204 No Content instead of the page. */
    onResponse({ api }: { api: PagesApi }) {
      if (!broadcast) return false;
      api.request.event.noContent(204);
      return true;
    },
  };
}
