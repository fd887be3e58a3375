// Ordered delivery on the page, pure: applies one topic's messages in the server's sequence
// order, each once. What arrives early is held; a gap that stays open is asked for.
// Members starting with `_` are internal; the minifier renames them.

/** How long a gap may stay open before the server is asked for it (ms). */
export const GAP_WAIT = 150;

/** A catch-up answer: the head `h`, rows `[seq, value]` (`[seq]`: not replayable), `x` when beyond the window. */
export interface CatchUp {
  h: number;
  r: [number, unknown?][];
  x?: unknown;
}

/**
 * The position of one topic on one connection. `_n` is the last applied sequence number:
 * -1 until the start is known (everything is held), -2 when the server kit gave none (the
 * next message starts).
 */
export class Order {
  _n = -1;
  _held = new Map<number, unknown>();
  private _timer: ReturnType<typeof setTimeout> | 0 = 0;

  constructor(
    /** Applies one value (swap, events). */
    private readonly _apply: (value: unknown) => void,
    /** Asks the server for what came after `since`; the answer goes to `_caughtUp`. */
    readonly _ask: (since: number) => void,
    /** Tells the page that messages were lost (beyond the window or not replayable). */
    private readonly _resync: () => void,
  ) {}

  /** A message with sequence number `seq` arrived on the stream. */
  _push(seq: number, value: unknown): void {
    if (this._n == -2) this._n = seq - 1;
    if (seq > this._n) this._held.set(seq, value);
    this._drain();
  }

  /**
   * Takes a catch-up answer: applies, in order, every held or replayed message up to the head
   * (a sequence number in between that is in neither was not for this page), fires the resync
   * once when something was lost, then goes on with what arrived after the head. The start of
   * a subscription is an answer too: `{h: head before it, r: []}`.
   */
  _caughtUp(answer: CatchUp): void {
    const held = this._held;
    let lost = answer.x;
    for (const [seq, ...value] of answer.r) {
      if (seq > this._n) value.length ? held.set(seq, value[0]) : held.has(seq) || (lost = 1);
    }
    if (lost) this._resync();
    for (const seq of [...held.keys()].sort((a, b) => a - b)) {
      if (seq > answer.h) break;
      if (seq > this._n) this._apply(held.get(seq));
      held.delete(seq);
    }
    if (answer.h > this._n) this._n = answer.h;
    this._drain();
  }

  /** The server could not be asked: everything held is applied in order, and the page resyncs. */
  _fail(): void {
    this._caughtUp({ h: Math.max(...this._held.keys()), r: [], x: 1 });
  }

  /** Applies what follows without a gap; a gap still open after at most `GAP_WAIT` is asked for. */
  private _drain(): void {
    const held = this._held;
    if (this._n < 0) return;
    while (held.has(this._n + 1)) {
      const value = held.get(++this._n);
      held.delete(this._n);
      this._apply(value);
    }
    // a timer left from a gap that filled meanwhile may ask a little early: harmless
    if (held.size && !this._timer) {
      this._timer = setTimeout(() => {
        this._timer = 0;
        if (held.size) this._ask(this._n);
      }, GAP_WAIT);
    }
  }
}
