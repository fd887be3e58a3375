// A stand-in for a foreign origin on loopback: answers like PocketBase's realtime API (a
// stream that sends PB_CONNECT, 204 to subscription posts, CORS allowing any origin and the
// Authorization header, as a hostile server would) and records every request it receives.
import http from 'node:http';

/** Starts a recorder on 127.0.0.1 (a free port); `close()` ends its streams and stops it. */
export async function startRecorder() {
  /** Every request received: `{ method, path, authorization, cookie }` (each header null when absent). */
  const requests = [];
  const streams = new Set();
  let clients = 0;
  const cors = {
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Headers': 'Authorization, Content-Type',
    'Access-Control-Allow-Methods': 'GET, POST',
  };
  const server = http.createServer((req, res) => {
    const { authorization = null, cookie = null } = req.headers;
    requests.push({ method: req.method, path: req.url, authorization, cookie });
    const realtime = /\/api\/realtime$/.test(req.url);
    if (req.method === 'GET' && realtime) {
      res.writeHead(200, { ...cors, 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' });
      res.write(`event: PB_CONNECT\ndata: {"clientId":"recorder-${++clients}"}\n\n`);
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    req.resume();
    req.on('end', () => res.writeHead(req.method === 'OPTIONS' || (req.method === 'POST' && realtime) ? 204 : 404, cors).end());
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requests,
    /** The subscription posts received (preflights excluded). */
    posts: () => requests.filter((r) => r.method === 'POST'),
    async close() {
      for (const res of streams) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
