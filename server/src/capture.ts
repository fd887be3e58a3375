// Capture mode: a page asks for its own rendered output to be broadcast once it has rendered.

import type { Filter } from './filters';
import { publishSends } from './engines/centrifugo';
import { centrifugoInForce } from './engines/centrifugo-config';
import { fromCentrifugo, sendToTopic, type SendResult } from './send';
import { checkTopic, encodePayload } from './wire';

interface CaptureRequest {
  topic: string;
  filter: Filter | null;
}

/** The captures one request asked for. One instance per request, never shared. */
export class Capture {
  private requests: CaptureRequest[] = [];

  /** Records that the page's output goes to `topic` once rendered. */
  request(topic: string, filter: Filter | null): void {
    this.requests.push({ topic: checkTopic(topic), filter });
  }

  /** True when the page called `sseSend(topic)` at least once. */
  get requested(): boolean {
    return this.requests.length > 0;
  }

  /**
   * Broadcasts the rendered output to every requested topic, once; later calls do nothing.
   * With the Centrifugo engine, all of them go in one API request.
   */
  flush(content: string): SendResult[] {
    const requests = this.requests;
    this.requests = [];
    const centrifugo = centrifugoInForce();
    if (centrifugo && requests.length) {
      const data = encodePayload(content);
      const offsets = publishSends(centrifugo, requests.map((r) => ({ topic: r.topic, data, filter: r.filter })));
      return offsets.map(fromCentrifugo);
    }
    return requests.map((r) => sendToTopic(r.topic, content, r.filter));
  }
}
