// The benchmark message: a 1 KB HTML fragment that carries its sequence number and send time,
// and the parsing of PocketBase's SSE frames on the receiving side. Pure functions.

/** Size of every benchmark fragment in bytes. */
export const FRAGMENT_BYTES = 1024;

/** A 1 KB HTML fragment stamped with `seq` and the send time `t` (ms since the epoch). */
export function fragment(seq, t) {
  const head = `<div class="message" data-seq="${seq}" data-t="${t.toFixed(3)}"><p>`;
  const tail = '</p></div>';
  return head + 'x'.repeat(Math.max(0, FRAGMENT_BYTES - head.length - tail.length)) + tail;
}

const STAMP = /data-seq=\\?"(\d+)\\?" data-t=\\?"([\d.]+)/;

/** The {seq, t} stamp inside a payload (raw HTML, JSON string or record JSON), or null. */
export function parseStamp(data) {
  const m = STAMP.exec(data);
  return m ? { seq: Number(m[1]), t: Number(m[2]) } : null;
}

/**
 * Splits buffered SSE text into complete frames ({event, data}) and the unfinished rest.
 * PocketBase writes `id:`, `event:`, `data:` lines and a blank line per frame.
 */
export function parseFrames(buffer) {
  const frames = [];
  let start = 0;
  for (;;) {
    const end = buffer.indexOf('\n\n', start);
    if (end < 0) break;
    let event = 'message';
    let data = '';
    for (const line of buffer.slice(start, end).split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data += (data ? '\n' : '') + line.slice(5);
    }
    frames.push({ event, data });
    start = end + 2;
  }
  return { frames, rest: buffer.slice(start) };
}
