import { isIP } from 'node:net';
import { InvalidIdServerError, IdServerNotTrustedError } from './identity-server.errors';

/** A DNS name: dot-separated labels of letters, digits and inner hyphens. */
const DNS_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/;
/** `host`, `[ipv6]`, each with an optional `:port`; nothing else (no scheme, path, userinfo or query). */
const ID_SERVER = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d{1,5}))?$/;

/**
 * The `id_server` a client names: a host name or IP literal with an optional port, in one canonical
 * spelling (lower case, IPv6 in brackets), which is how it is compared, stored and signed for.
 */
export class IdServer {
  private constructor(
    /** A DNS name or IP literal, IPv6 without brackets. */
    readonly host: string,
    readonly port: number | undefined,
  ) {}

  /** Throws InvalidIdServerError (400 M_INVALID_PARAM) for anything but `host[:port]`. */
  static parse(raw: string): IdServer {
    const match = ID_SERVER.exec(raw);
    if (!match) throw new InvalidIdServerError();
    const [, hostPart, portPart] = match;
    const port = portPart === undefined ? undefined : Number(portPart);
    if (port !== undefined && (port < 1 || port > 65535)) throw new InvalidIdServerError();
    if (hostPart.startsWith('[')) {
      const literal = hostPart.slice(1, -1).toLowerCase();
      if (isIP(literal) !== 6) throw new InvalidIdServerError();
      return new IdServer(literal, port);
    }
    const host = hostPart.toLowerCase();
    // A last label of digits (or 0x and hex) makes an IPv4 address or nothing, never a name to look
    // up: resolvers read 127.1 and 0x7f.1 as 127.0.0.1.
    if (/(?:^|\.)(?:\d+|0x[\da-f]*)$/.test(host) ? isIP(host) !== 4 : !DNS_NAME.test(host)) throw new InvalidIdServerError();
    return new IdServer(host, port);
  }

  /** `host[:port]`, IPv6 literals in brackets: what clients send, and what a binding records. */
  toString(): string {
    const host = isIP(this.host) === 6 ? `[${this.host}]` : this.host;
    return this.port === undefined ? host : `${host}:${this.port}`;
  }

  equals(other: IdServer): boolean {
    return this.host === other.host && this.port === other.port;
  }
}

/**
 * Which identity servers this homeserver contacts for its users. With an allow-list, those only
 * (each `host` or `host:port`, matched exactly); without one, any server whose address is public.
 * An address that is not public (loopback, private, link-local…) is contacted only when its exact
 * `host[:port]` is on the list: that is for the gateway to enforce where it connects.
 */
export class IdentityServerPolicy {
  private readonly listed: IdServer[];

  constructor(allowlist: readonly string[]) {
    this.listed = allowlist.map((entry) => IdServer.parse(entry));
  }

  /** The id_server, parsed; InvalidIdServerError or IdServerNotTrustedError, before any request is made. */
  trusted(raw: string): IdServer {
    const idServer = IdServer.parse(raw);
    if (this.listed.length > 0 && !this.isListed(idServer)) throw new IdServerNotTrustedError(idServer);
    return idServer;
  }

  /** On the allow-list exactly: the only way to an address that is not public. */
  isListed(idServer: IdServer): boolean {
    return this.listed.some((entry) => entry.equals(idServer));
  }
}
