// The Centrifugo engine: sends become publishes on Centrifugo's server HTTP API (synchronous in
// the JS VM), into the channels of `centrifugo-channels.ts`. Who may hold which channel is
// decided when the kit mints the page's connection token (`centrifugo-token.ts`).

import { nobody, replayScope, type Filter } from '../filters';
import { log } from '../log';
import type { App } from '../pocketbase';
import { SseError } from '../wire';
import { publishRequest, readPublishReply, type Publish } from './centrifugo-api';
import { channelOf, checkChannelTopic, personalChannelOf } from './centrifugo-channels';
import type { CentrifugoConfig } from './centrifugo-config';

/** One send as the engine takes it: `data` is one line of JSON. */
export interface EngineSend {
  topic: string;
  data: string;
  filter: Filter | null;
}

/**
 * The channel a send goes to: the topic's for no filter or `everyone` (and a guest's default
 * filter, which is no filter), the sender's personal channel for a signed-in sender's default
 * filter. A custom filter function cannot run inside Centrifugo: refused with an SseError.
 */
export function channelFor(namespace: string, send: EngineSend): string {
  checkChannelTopic(namespace, send.topic);
  const scope = replayScope(send.filter);
  if (scope === '') return channelOf(namespace, send.topic);
  if (scope === '!') {
    throw new SseError('a custom filter function cannot run in Centrifugo: nothing was sent to "' + send.topic.slice(0, 80) +
      '" (send to everyone, use the default filter, or a per-user topic like user:<id>)');
  }
  return personalChannelOf(namespace, send.topic, scope);
}

/**
 * Publishes the sends in one request (`/batch` for several, in order), and returns each one's
 * Centrifugo stream offset, or null for a send whose filter is `nobody` (not published).
 * Every channel is worked out before anything is sent, so one refused send sends none. A send
 * inside a transaction is refused: Centrifugo cannot wait for the commit. Failures throw an
 * SseError and are logged; nothing is retried.
 */
export function publishSends(config: CentrifugoConfig, sends: EngineSend[], app?: App): (number | null)[] {
  const published = sends.filter((send) => send.filter !== nobody);
  let publishes: Publish[];
  try {
    if (app && app.isTransactional()) {
      throw new SseError('with the Centrifugo engine a send cannot join a transaction (it would go out before the commit): send after it commits');
    }
    publishes = published.map((send) => ({ channel: channelFor(config.namespace, send), data: send.data }));
  } catch (error) {
    log.error('send refused', 'topic', sends.length ? sends[0].topic.slice(0, 80) : '', 'error', String(error));
    throw error;
  }
  const offsets = publishes.length ? publish(config, publishes) : [];
  return sends.map((send) => (send.filter === nobody ? null : (offsets.shift() as number)));
}

/** Sends `publishes` in one request; each one's offset. */
function publish(config: CentrifugoConfig, publishes: Publish[]): number[] {
  let response: { statusCode: number; json: unknown };
  try {
    response = $http.send(publishRequest(config, publishes));
  } catch (error) {
    log.error('Centrifugo publish failed: no answer', 'apiUrl', config.apiUrl, 'error', String(error));
    throw new SseError('Centrifugo did not answer at ' + config.apiUrl + ': ' + String(error));
  }
  try {
    return readPublishReply(response.statusCode, response.json, publishes.length).offsets;
  } catch (error) {
    log.error('Centrifugo publish failed', 'apiUrl', config.apiUrl, 'error', String(error));
    throw new SseError(String((error as Error).message || error));
  }
}
