import { AddressInfo, connect, createServer, Server, Socket } from 'node:net';

export interface Upstream {
  host: string;
  port: number;
}

/** One client connection and, while it forwards, its connection to the upstream. */
interface Link {
  client: Socket;
  upstream?: Socket;
  /** Black-holed links stay so: restore() only affects new connections. */
  blackHoled: boolean;
}

type Mode = 'forward' | 'cut' | 'black-hole';

/**
 * A real TCP proxy on 127.0.0.1 between the app and one upstream server (MariaDB, Redis, an SMTP
 * server...), for fault tests without touching the real server:
 * - `cut()`: every connection is reset, both ways, and new ones are reset at once, as when the
 *   server is down (the server sees its clients go, and rolls back what they left open);
 * - `blackHole()`: connections stay open and nothing passes in either direction, old connections
 *   included, and new ones are accepted and then ignored, as in a network partition;
 * - `restore()`: new connections are forwarded again. A black-holed connection stays black-holed
 *   until close(), as one whose state a partition lost: a client must discard it, not reuse it.
 * - `cutWhen(predicate)`: cuts the moment a client sends bytes that match, before they reach the
 *   upstream (say, a transaction's COMMIT).
 */
export class TcpProxy {
  private mode: Mode = 'forward';
  private readonly links = new Set<Link>();
  private trigger?: { matches: (sent: Buffer) => boolean; fired: () => void };

  private constructor(
    private readonly server: Server,
    private readonly upstream: Upstream,
  ) {}

  static async start(upstream: Upstream): Promise<TcpProxy> {
    let proxy!: TcpProxy;
    const server = createServer((client) => proxy.accept(client));
    proxy = new TcpProxy(server, upstream);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  /** For an upstream given as a URL: `redis://127.0.0.1:6379`, `mysql://user@host:3306/db`. */
  static forUrl(url: string, defaultPort: number): Promise<TcpProxy> {
    const parsed = new URL(url);
    return TcpProxy.start({ host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(parsed.port || defaultPort) });
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** `url` (of the upstream, or any with a host) pointed at this proxy instead: same scheme, user, path and query. */
  url(url: string): string {
    const through = new URL(url);
    through.hostname = '127.0.0.1';
    through.port = String(this.port);
    return through.toString();
  }

  /** Resets every connection, both ways, and every new one until restore(). */
  cut(): void {
    this.mode = 'cut';
    this.trigger = undefined;
    for (const link of this.links) this.reset(link);
  }

  /** Forwards nothing more, either way, on every connection; accepts new ones and forwards nothing on them either. */
  blackHole(): void {
    this.mode = 'black-hole';
    for (const link of this.links) this.silence(link);
  }

  /** New connections are forwarded again; black-holed ones stay as they are. */
  restore(): void {
    this.mode = 'forward';
  }

  /**
   * Cuts (as cut()) when a client sends bytes for which `matches` is true, before forwarding
   * them. Resolves once it has cut.
   */
  cutWhen(matches: (sent: Buffer) => boolean): Promise<void> {
    return new Promise((fired) => (this.trigger = { matches, fired }));
  }

  /** Closes every connection, black-holed ones included, and stops listening. */
  async close(): Promise<void> {
    for (const link of this.links) this.reset(link);
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    client.on('error', ignore); // resets are what this proxy is for
    if (this.mode === 'cut') {
      client.resetAndDestroy();
      return;
    }
    const link: Link = { client, blackHoled: false };
    this.links.add(link);
    if (this.mode === 'black-hole') {
      this.silence(link);
      return;
    }
    const upstream = connect(this.upstream.port, this.upstream.host);
    link.upstream = upstream;
    upstream.on('error', ignore);
    client.on('data', (sent: Buffer) => {
      const trigger = this.trigger;
      if (trigger?.matches(sent)) {
        this.cut();
        trigger.fired();
        return;
      }
      if (!upstream.write(sent)) client.pause();
    });
    upstream.on('data', (received: Buffer) => {
      if (!client.write(received)) upstream.pause();
    });
    upstream.on('drain', () => client.resume());
    client.on('drain', () => upstream.resume());
    // A close passes on as a close, a reset (or a refused upstream) as the end of both.
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    const forget = () => {
      if (client.destroyed && upstream.destroyed && !link.blackHoled) this.links.delete(link);
    };
    client.on('close', forget);
    upstream.on('close', forget);
  }

  /** Stops reading either side and passing anything on, ends and resets included. */
  private silence(link: Link): void {
    link.blackHoled = true;
    for (const socket of [link.client, link.upstream]) {
      if (!socket) continue;
      for (const event of ['data', 'drain', 'end', 'error', 'close']) socket.removeAllListeners(event);
      socket.on('error', ignore);
      socket.pause();
    }
  }

  private reset(link: Link): void {
    this.links.delete(link);
    if (!link.client.destroyed) link.client.resetAndDestroy();
    link.upstream?.destroy();
  }
}

function ignore(): void {}
