// A TCP proxy for fault tests: point DATABASE_URL / REDIS_URL at it instead of the real server,
// then cut the link without touching the server (which other test files share).
//
//   const proxy = await TcpProxy.start({ port: 5432 });   // listens on a free port
//   proxy.cut();        // drop every open connection; new ones are reset at once (server "down")
//   proxy.blackhole();  // drop open connections; new ones are accepted but never answered
//   proxy.freeze();     // open connections go silent (no reset); new ones are never answered
//   proxy.restore();    // forward again (frozen connections resume, or stay dead: abandonFrozen)
//   await proxy.close();
import net from 'node:net';

export type ProxyMode = 'forward' | 'reset' | 'blackhole' | 'frozen';

export interface ProxyTarget {
  host?: string;
  port: number;
}

export class TcpProxy {
  private mode: ProxyMode = 'forward';
  private readonly pairs = new Set<{ client: net.Socket; upstream?: net.Socket }>();
  private readonly held = new Set<net.Socket>();
  /** Connections accepted since start (forwarded or not). */
  accepted = 0;

  private constructor(
    private readonly server: net.Server,
    private readonly target: Required<ProxyTarget>,
  ) {
    server.on('connection', (client) => this.onConnection(client));
  }

  /** Starts listening on 127.0.0.1:`listenPort` (0 = any free port) in forwarding mode. */
  static async start(target: ProxyTarget, listenPort = 0): Promise<TcpProxy> {
    const server = net.createServer({ pauseOnConnect: true });
    const proxy = new TcpProxy(server, { host: target.host ?? '127.0.0.1', port: target.port });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(listenPort, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return proxy;
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  get currentMode(): ProxyMode {
    return this.mode;
  }

  /** Connections currently forwarded. */
  get openConnections(): number {
    return this.pairs.size;
  }

  /** `url` with its host and port replaced by the proxy's. */
  rewrite(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  /** Server "down": resets every open connection, and every new one as soon as it arrives. */
  cut(): void {
    this.mode = 'reset';
    this.dropAll();
  }

  /** Network partition: open connections are dropped, new ones hang (accepted, never answered). */
  blackhole(): void {
    this.mode = 'blackhole';
    this.dropAll();
  }

  /**
   * Silent partition: open connections stay open but nothing passes any more (no reset, no FIN),
   * new ones hang. What a dead host or a dropped route looks like to the API.
   */
  freeze(): void {
    this.mode = 'frozen';
    for (const pair of this.pairs) {
      pair.client.unpipe();
      pair.upstream?.unpipe();
      pair.client.pause();
      pair.upstream?.pause();
    }
  }

  /**
   * Forwards new connections again; dropped connections stay dropped. Frozen connections resume
   * (the partition healed), or with `abandonFrozen` stay silent for good (the old host is gone,
   * e.g. after a failover: nothing ever answers on those sockets again) until close().
   */
  restore(options: { abandonFrozen?: boolean } = {}): void {
    if (this.mode === 'frozen' && !options.abandonFrozen) {
      for (const pair of this.pairs) {
        if (!pair.upstream) continue;
        pair.client.pipe(pair.upstream);
        pair.upstream.pipe(pair.client);
        pair.client.resume();
        pair.upstream.resume();
      }
    }
    this.mode = 'forward';
    for (const socket of this.held) socket.destroy();
    this.held.clear();
  }

  async close(): Promise<void> {
    this.dropAll();
    for (const socket of this.held) socket.destroy();
    this.held.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private dropAll(): void {
    for (const pair of this.pairs) {
      pair.client.resetAndDestroy();
      pair.upstream?.resetAndDestroy();
    }
    this.pairs.clear();
  }

  private onConnection(client: net.Socket): void {
    this.accepted += 1;
    client.on('error', () => {});
    if (this.mode === 'reset') {
      client.resetAndDestroy();
      return;
    }
    if (this.mode === 'blackhole' || this.mode === 'frozen') {
      this.held.add(client);
      client.once('close', () => this.held.delete(client));
      return;
    }
    const pair: { client: net.Socket; upstream?: net.Socket } = { client };
    this.pairs.add(pair);
    const upstream = net.connect(this.target.port, this.target.host);
    pair.upstream = upstream;
    upstream.on('error', () => {});
    const end = () => {
      if (!this.pairs.delete(pair)) return;
      client.destroy();
      upstream.destroy();
    };
    upstream.once('connect', () => {
      if (this.mode === 'frozen') return; // piped by restore(), if ever
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
    client.once('close', end);
    upstream.once('close', end);
  }
}
