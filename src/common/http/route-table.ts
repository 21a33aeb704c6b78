/**
 * The routes the HTTP server knows, recorded as they are registered, so that a request for a known
 * path with the wrong method can be answered 405 rather than 404, as the spec asks.
 */
export class RouteTable {
  private readonly routes: { method: string; pattern: RegExp }[] = [];

  add(method: string, url: string): void {
    this.routes.push({ method, pattern: toPattern(url) });
  }

  /** Methods registered for this concrete path (query string ignored, percent-escapes decoded as Fastify does). */
  methodsFor(url: string): string[] {
    const path = decodePath(url.split('?', 1)[0]);
    return [...new Set(this.routes.filter((route) => route.pattern.test(path)).map((route) => route.method))];
  }
}

function decodePath(path: string): string {
  try {
    return decodeURI(path);
  } catch {
    return path;
  }
}

/** Fastify route syntax (`:param`, trailing `*`) as a regular expression over concrete paths. */
function toPattern(url: string): RegExp {
  const source = url
    .split('/')
    .map((segment) => {
      if (segment === '*') return '.*';
      if (segment.startsWith(':')) return '[^/]+';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}$`);
}
