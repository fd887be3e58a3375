// pocketpages-plugin-sse: broadcast server-rendered HTML over PocketBase's realtime stream.
//
// PocketPages loads the default export as a plugin factory; plain pb_hooks use the named
// exports (`page`, `subscribe`, `messageSend`, `sseSend`, `forRequest`).

import ssePlugin from './plugin';

export default ssePlugin;
export { ssePlugin };
export { page, subscribe, forRequest, sseSend, send } from './hooks';
export { sendToTopic, sendEncoded, matchingKeys } from './send';
export { messageSend, BACKLOG_LIMIT } from './backlog';
export { deliveryCounts, DIRECT_MAX } from './delivery';
export { fileSubscriptions, sweepTopicIndex, topicIndexStats } from './topicindex-store';
export { catchUp, HEADS_HEADER } from './catchup';
export { setReplayWindow, replayWindow } from './journal';
export { ORDERED_SUFFIX, catchUpAnswer } from './replay';
export { defaultFilter, everyone, authKey, replayScope } from './filters';
export { bindCookieAuth, cookieUser, isSameOrigin, tokenFromCookieValue } from './auth';
export { sameOriginOnly, mayUseCookieSession, isSafeMethod } from './guard';
export { realtime, realtimePayload } from './realtime';
export { maySubscribe, compilePattern } from './rules';
export { MAX_KEY_BYTES, MAX_KEYS_PER_TOPIC } from './screen';
export { configure, configureEngine, centrifugoConfig, centrifugoInForce } from './engines/centrifugo-config';
export { centrifugoToken, MAX_TOKEN_TOPICS } from './engines/centrifugo-token';
export { authChanged } from './engines/centrifugo-auth';
export { endRealtimeSessions } from './sessions';
export { channelFor, publishSends } from './engines/centrifugo';
export { connectionGrant, channelOf, personalChannelOf } from './engines/centrifugo-channels';
export { encodePayload, checkTopic, SseError, MAX_TOPIC_LENGTH } from './wire';
export type { Filter } from './filters';
export type { SendResult } from './send';
export type { MessageSendEvent } from './backlog';
export type { RecipientsByKey, Payload } from './delivery';
export type { TopicIndexStats } from './topicindex-store';
export type { SseContext, SseSend, SendOptions } from './context';
export type { PageContext, SubscribeOptions } from './hooks';
export type { CatchUpOptions } from './catchup';
export type { ReplayWindow } from './replay';
export type { CentrifugoOptions, CentrifugoConfig, EngineOptions, KitOptions } from './engines/centrifugo-config';
export type { TokenRouteOptions, TokenAnswer } from './engines/centrifugo-token';
export type { AuthRecordEvent } from './engines/centrifugo-auth';
export type { PluginOptions } from './plugin';
export type { TopicRules, Rule, RuleContext } from './rules';
export type { CookieAuthOptions } from './auth';
export type { GuardOptions } from './guard';
export type { Realtime, RealtimeFilter, RealtimeOptions } from './realtime';
export type { RealtimeClient, AuthRecord, RequestEvent, SubscribeRequestEvent } from './pocketbase';
