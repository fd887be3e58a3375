// Centrifugo's unidirectional stream, pure: the connect request a page sends (with where each
// channel stood, for recovery) and what each message of the stream means. No network, no DOM.
// `_` members are renamed by the minifier.

/** What the server kit's token route answers (see the kit's `centrifugoToken`). */
export interface Grant {
  token: string;
  /** Centrifugo's address for browsers. */
  url: string;
  /** Channel -> topic. */
  channels: Record<string, string>;
  /** The token's lifetime in seconds. */
  ttl: number;
}

/** Where the page stands in one channel's stream: Centrifugo's offset and epoch. */
export interface Position {
  o: number;
  e: string;
}

/** A publication as Centrifugo sends it. */
interface Pub {
  data: unknown;
  offset?: number;
}

/** One channel's part of the connect push. */
interface SubResult {
  epoch?: string;
  offset?: number;
  publications?: Pub[];
  recovered?: boolean;
  was_recovering?: boolean;
}

/** A message of the stream (JSON): the connect push, a publication, a disconnect, or `{}` (ping). */
interface Push {
  connect?: { client: string; subs?: Record<string, SubResult> };
  channel?: string;
  pub?: Pub;
  disconnect?: { code: number; reason: string };
}

/**
 * The `cf_connect` request: the token, and for each granted channel the page already stood in,
 * `recover` from its offset and epoch (Centrifugo then sends what the page missed, or says it
 * could not).
 */
export function connectRequest(grant: Grant, positions: Map<string, Position>): object {
  const subs: Record<string, object> = {};
  positions.forEach((p, channel) => {
    if (grant.channels[channel]) subs[channel] = { recover: true, offset: p.o, epoch: p.e };
  });
  return { token: grant.token, subs };
}

/** What the reader reports. */
export interface StreamEvents {
  /** A value for a topic, in the channel's order, each once. */
  _message(topic: string, value: unknown): void;
  /** Messages of a topic were lost (Centrifugo could not recover them). */
  _lost(topic: string): void;
  /** Connected (the connect push came), as client `id`. */
  _open(id: string): void;
  /** The stream skipped an offset, or Centrifugo disconnected: reconnect (and recover). */
  _broken(reason: unknown): void;
}

/**
 * Reads one stream of `grant`: updates `positions` (which outlive the stream) and reports
 * recovered and live publications per topic, each once, in offset order.
 */
export function createReader(grant: Grant, positions: Map<string, Position>, events: StreamEvents): (raw: string) => void {
  const apply = (channel: string, pub: Pub) => {
    const at = positions.get(channel);
    const offset = pub.offset || 0;
    if (at && offset) {
      if (offset <= at.o) return; // had it
      if (offset > at.o + 1) return events._broken('gap'); // lost on the way: recover on a new stream
      at.o = offset;
    }
    events._message(grant.channels[channel], pub.data);
  };
  return (raw) => {
    let push: Push;
    try {
      push = JSON.parse(raw);
    } catch {
      return;
    }
    const connect = push.connect;
    if (connect) {
      const subs = connect.subs || {};
      const lost = new Set<string>();
      for (const channel in subs) {
        const topic = grant.channels[channel];
        if (topic && subs[channel].was_recovering && !subs[channel].recovered) lost.add(topic);
      }
      lost.forEach(events._lost);
      for (const channel in subs) {
        const result = subs[channel];
        if (!grant.channels[channel]) continue;
        const pubs = result.publications || [];
        // recovered: the offset is where the page stood; not: the stream's top
        positions.set(channel, { o: result.recovered ? result.offset || 0 : (result.offset || 0) - pubs.length, e: result.epoch || '' });
        pubs.forEach((pub) => apply(channel, pub));
      }
      events._open(connect.client);
    } else if (push.pub && push.channel && grant.channels[push.channel]) apply(push.channel, push.pub);
    else if (push.disconnect) events._broken(push.disconnect);
  };
}
