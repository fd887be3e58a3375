// Ordered delivery on the page, pure: applies one topic's messages in the server's sequence
// order, each once. What arrives early is held; a gap that stays open is asked for.
// Members starting with `_` are internal; the minifier renames them.

/** How long a gap may stay open before the server is asked for it (ms). */
export const GAP_WAIT = 150;

/** A catch-up answer: the head `h`, rows `[seq, value]` (`[seq]`: not replayable), `x` when beyond the window. */
export interface CatchUp {
  h: number;
  r?: [number, unknown?][];
  x?: unknown;
}

/** How many times a catch-up lost on the network with nothing held is asked again (after 1.2, 2.4 and 4.8 s) before it counts as refused. */
export const ASK_RETRIES = 3;

/**
 * The position of one topic on one connection. `_n` is the last applied sequence number:
 * -1 until the start is known (everything is held), -2 when the server kit gave none (the
 * next message starts), -3 when a catch-up failed and no head was known (as -2, and a
 * reconnect before the next message resyncs again), NaN once its topic was dropped.
 */
export interface Order {
  _n: number;
  /** A message with sequence number `seq` arrived on the stream. */
  _push(seq: number, value: unknown): void;
  /**
   * Takes a catch-up answer: applies, in order, every held or replayed message up to the head
   * (a sequence number in between that is in neither was not for this page), fires the resync
   * once when something was lost, then goes on from the head with what arrived after it. A
   * head below the position (the server's log went back: wiped, or an older backup) comes with
   * `x` and moves the position back to it. The start of a subscription is an answer too:
   * `{h: head before it, r: []}`.
   */
  _caughtUp(answer: CatchUp): void;
  /**
   * The topic was posted on a clientId. A new topic starts at `head`, the server kit's head
   * before the subscription (without one, at its next message); on a `fresh` clientId a
   * positioned topic catches up (and, when that fails, resyncs and goes on from `head`).
   */
  _subscribed(head: string | undefined, fresh: boolean): void;
}

/**
 * Makes the position of one topic: `apply` applies one value (swap, events), `ask` asks the
 * server for what came after `since` (the answer goes to `_caughtUp`), `resync` tells the page
 * that messages were lost (beyond the window or not replayable).
 */
export function createOrder(apply: (value: unknown) => void, ask: (since: number) => Promise<CatchUp>, resync: () => void): Order {
  const held = new Map<number, unknown>();
  let timer: ReturnType<typeof setTimeout> | 0 = 0;
  /** Catch-up requests in flight: a gap is asked for by one at a time. */
  let asking = 0;
  /** The newest head the server gave (a subscription's answer, a catch-up answer): where a failed catch-up goes on from. */
  let top = -3;
  const order: Order = {
    _n: -1,
    _push(seq, value) {
      if (order._n < -1) order._n = seq - 1; // -2, -3: the next message starts
      if (seq > order._n) held.set(seq, value);
      drain();
    },
    _caughtUp({ h, r = [], x: lost }) {
      for (const [seq, ...value] of r) {
        if (seq > order._n) value.length ? held.set(seq, value[0]) : held.has(seq) || (lost = 1);
      }
      if (lost) resync();
      for (const seq of [...held.keys()].sort((a, b) => a - b)) {
        if (seq > h) break;
        if (seq > order._n) apply(held.get(seq));
        held.delete(seq);
      }
      order._n = h;
      drain();
    },
    _subscribed(head, fresh) {
      if (head != '-1' && +head > top) top = +head; // '-1': the server refused the key this time
      const n = order._n;
      const low = Math.min(...held.keys()); // Infinity when nothing is held
      if (n < 0) {
        if (n == -3 && fresh) resync(); // what this disconnect missed is unknown too
        // held from a stream whose answer never came, at or below this head: ask for what lies between
        if (n == -1 && fresh && low <= +head) askAfter((order._n = low - 1));
        else if (head) order._caughtUp({ h: +head });
        else if (held.size) (order._n = low - 1), drain(); // no head: what arrived first starts
        else order._n = -2;
      } else if (n >= 0 && fresh && head != '-1') askAfter(n); // not for a dropped topic (NaN)
    },
  };

  /**
   * Asks the server for what came after `since` and takes the answer, unless the position moved
   * meanwhile (another answer came first): a stale answer that reaches further is asked again
   * from the new position, so its `x` never resyncs twice. A request lost on the network with
   * nothing held is asked again, `ASK_RETRIES` times, while the position stays. When the server
   * refuses (an HTTP status), the request is lost with a gap known (something is held), or the
   * last retry is lost too, everything held is applied in order, the page resyncs and goes on
   * from the newest it holds or the newest head the server gave (`top`): the re-fetch shows
   * what came before, and a later reconnect asks from there.
   */
  function askAfter(since: number, tries = 0): void {
    asking++;
    ask(since).then(
      (answer) => {
        asking--;
        if (answer.h > top) top = answer.h;
        since == order._n ? order._caughtUp(answer) : answer.h > order._n ? askAfter(order._n) : drain();
      },
      (error) => {
        asking--;
        if (since != order._n) drain();
        // never below what was applied (live messages may be past the newest head), unless no head is known
        else if (error > 0 || held.size || tries == ASK_RETRIES) order._caughtUp({ h: Math.max(...held.keys(), top, top < 0 ? top : since), x: 1 });
        else setTimeout(() => since == order._n && askAfter(since, tries + 1), GAP_WAIT << tries + 3);
      },
    );
  }

  /** Applies what follows without a gap; a gap still open after at most `GAP_WAIT` is asked for. */
  function drain(): void {
    if (!(order._n >= 0)) return; // also a dropped topic's order (NaN): it arms no timer
    while (held.has(order._n + 1)) {
      const value = held.get(++order._n);
      held.delete(order._n);
      apply(value);
    }
    // a timer left from a gap that filled meanwhile may ask a little early: harmless; none while
    // a request is out (its answer or failure drains again)
    if (held.size && !timer && !asking) {
      timer = setTimeout(() => {
        timer = 0;
        if (held.size && order._n >= 0 && !asking) askAfter(order._n); // not for a topic dropped meanwhile (NaN)
      }, GAP_WAIT);
    }
  }

  return order;
}
