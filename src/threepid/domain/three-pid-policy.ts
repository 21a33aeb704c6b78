import { Medium } from './medium';
import { canonicalEmailGlob } from './three-pid-address';
import type { ThreePidCandidate, ThreePidPolicy } from './ports/three-pid-policy';
import { InvalidNextLinkError, ThreePidDeniedError } from './validation.errors';

/** One THREEPID_ALLOWLIST entry: a glob (`*` stands for any run of characters) over canonical addresses. */
export interface ThreePidPattern {
  medium: Medium;
  glob: string;
}

/**
 * Which addresses may be added to accounts: any, when no pattern is configured; otherwise those
 * that match a pattern of their medium in full (case-insensitively). The domains of e-mail patterns
 * are canonicalised once, here, as addresses are. The default ThreePidPolicy: whoever adds, and any
 * removal.
 */
export class ThreePidAllowlist implements ThreePidPolicy {
  private readonly rules: { medium: Medium; regex: RegExp }[];

  constructor(patterns: readonly ThreePidPattern[]) {
    this.rules = patterns.map(({ medium, glob }) => ({ medium, regex: globToRegExp(medium === 'email' ? canonicalEmailGlob(glob) : glob) }));
  }

  allows(medium: Medium, address: string): boolean {
    return this.rules.length === 0 || this.rules.some((rule) => rule.medium === medium && rule.regex.test(address));
  }

  assertAllowed(medium: Medium, address: string): void {
    if (!this.allows(medium, address)) throw new ThreePidDeniedError(medium);
  }

  mayAdd({ medium, address }: ThreePidCandidate): boolean {
    return this.allows(medium, address);
  }

  mayRemove(): boolean {
    return true;
  }
}

function globToRegExp(glob: string): RegExp {
  const source = glob
    .split('*')
    .map((literal) => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 'iu');
}

/** Longer links are refused rather than cut (the column leaves room for the `sid` added to it). */
export const MAX_NEXT_LINK_LENGTH = 2000;

/** White space and control characters, which the URL parser would drop or encode without a word: the link would not be the one written. */
const NOT_IN_A_LINK = /[\s\p{Cc}]/u;

/**
 * Where the e-mail link may send the browser once the address is validated: an absolute http(s)
 * URL (never `javascript:`, `data:` or `file:`) as written, without credentials (they serve only to
 * disguise the host: `https://trusted.example@evil.example/`), on an allowed host when a list is
 * configured (`example.org` exactly, or `*.example.org` for its subdomains).
 */
export class NextLinkPolicy {
  constructor(private readonly allowedHosts?: readonly string[]) {}

  /** Throws InvalidNextLinkError unless the link is acceptable. */
  parse(nextLink: string): URL {
    const url = !NOT_IN_A_LINK.test(nextLink) && URL.canParse(nextLink) ? new URL(nextLink) : undefined;
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) throw new InvalidNextLinkError();
    if (url.username || url.password) throw new InvalidNextLinkError();
    if (url.href.length > MAX_NEXT_LINK_LENGTH) throw new InvalidNextLinkError();
    if (this.allowedHosts && !this.allowedHosts.some((host) => hostMatches(url.hostname, host))) {
      throw new InvalidNextLinkError();
    }
    return url;
  }
}

function hostMatches(hostname: string, allowed: string): boolean {
  const host = allowed.toLowerCase();
  if (host.startsWith('*.')) return hostname.endsWith(host.slice(1)) && hostname.length > host.length - 1;
  return hostname === host;
}
