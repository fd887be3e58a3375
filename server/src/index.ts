// pocketpages-plugin-sse: broadcast server-rendered HTML over PocketBase's realtime stream.
//
// PocketPages loads the default export as a plugin factory; plain pb_hooks use the named
// exports (`page`, `subscribe`, `sseSend`, `forRequest`).

import ssePlugin from './plugin';

export default ssePlugin;
export { ssePlugin };
export { page, subscribe, forRequest, sseSend, send } from './hooks';
export { sendToTopic, matchingKeys } from './send';
export { catchUp, HEADS_HEADER } from './catchup';
export { setReplayWindow, replayWindow } from './journal';
export { ORDERED_SUFFIX, catchUpAnswer } from './replay';
export { defaultFilter, everyone, authKey, replayScope } from './filters';
export { bindCookieAuth, isSameOrigin, tokenFromCookieValue } from './auth';
export { maySubscribe, compilePattern } from './rules';
export { encodePayload, checkTopic, SseError, MAX_TOPIC_LENGTH } from './wire';
export type { Filter } from './filters';
export type { SendResult } from './send';
export type { SseContext, SseSend, SendOptions } from './context';
export type { PageContext, SubscribeOptions } from './hooks';
export type { CatchUpOptions } from './catchup';
export type { ReplayWindow } from './replay';
export type { PluginOptions } from './plugin';
export type { TopicRules, Rule, RuleContext } from './rules';
export type { CookieAuthOptions } from './auth';
export type { RealtimeClient, AuthRecord, RequestEvent, SubscribeRequestEvent } from './pocketbase';
