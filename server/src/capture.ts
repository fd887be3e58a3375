// Capture mode: a page asks for its own rendered output to be broadcast once it has rendered.

import type { Filter } from './filters';
import { sendToTopic, type SendResult } from './send';
import { checkTopic } from './wire';

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

  /** Broadcasts the rendered output to every requested topic, once; later calls do nothing. */
  flush(content: string): SendResult[] {
    const requests = this.requests;
    this.requests = [];
    return requests.map((r) => sendToTopic(r.topic, content, r.filter));
  }
}
