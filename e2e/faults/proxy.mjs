// A loopback TCP proxy the fault tests control: forwards bytes both ways to a target port,
// and on demand cuts every connection, cuts a stream in the middle of a marker, or stalls
// (holds every byte in both directions, for live and new connections) until resumed.
import net from 'node:net';

/** One proxied connection: both sockets and the bytes held while stalled. */
class Pipe {
  constructor(proxy, client) {
    this.proxy = proxy;
    this.client = client;
    this.upstream = net.connect(proxy.target, '127.0.0.1');
    this.held = { up: [], down: [] };
    client.on('data', (chunk) => this.forward('up', chunk));
    this.upstream.on('data', (chunk) => this.forward('down', chunk));
    for (const socket of [client, this.upstream]) {
      socket.on('error', () => this.destroy());
      socket.on('close', () => this.destroy());
    }
  }

  forward(direction, chunk) {
    if (this.proxy.stalled) return void this.held[direction].push(chunk);
    const to = direction === 'up' ? this.upstream : this.client;
    const marker = this.proxy.marker;
    const at = direction === 'down' && marker ? chunk.indexOf(marker) : -1;
    if (at < 0) return void to.write(chunk);
    // write up to the middle of the marker, then drop the connection: a message cut in half
    this.proxy.marker = null;
    this.proxy.cuts++;
    to.write(chunk.subarray(0, at + Math.floor(marker.length / 2)), () => this.destroy());
  }

  flush() {
    for (const direction of ['up', 'down']) {
      const chunks = this.held[direction].splice(0);
      for (const chunk of chunks) this.forward(direction, chunk);
    }
  }

  destroy() {
    this.client.destroy();
    this.upstream.destroy();
    this.proxy.pipes.delete(this);
  }
}

/** Starts a proxy on a free loopback port in front of `127.0.0.1:target`. */
export async function startProxy(target) {
  const proxy = { target, stalled: false, marker: null, cuts: 0, pipes: new Set() };
  const server = net.createServer((client) => proxy.pipes.add(new Pipe(proxy, client)));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = server.address().port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    /** Open connections through the proxy. */
    get connections() {
      return proxy.pipes.size;
    },
    /** How many streams were cut inside a marker so far. */
    get cuts() {
      return proxy.cuts;
    },
    /** True when bytes held by a stall (server to browser) contain `text`. */
    holds(text) {
      return [...proxy.pipes].some((pipe) => pipe.held.down.some((chunk) => chunk.includes(text)));
    },
    /** Drops every open connection at once. */
    cut() {
      for (const pipe of [...proxy.pipes]) pipe.destroy();
    },
    /** Cuts the next server-to-browser chunk holding `marker` in the middle of it. */
    cutInside(marker) {
      proxy.marker = Buffer.from(marker);
    },
    /** Holds every byte in both directions (sockets stay open) until `resume()`. */
    stall() {
      proxy.stalled = true;
    },
    /** Forwards what was held, and everything after. */
    resume() {
      proxy.stalled = false;
      for (const pipe of [...proxy.pipes]) pipe.flush();
    },
    /** Closes the proxy and every connection. */
    async close() {
      for (const pipe of [...proxy.pipes]) pipe.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
