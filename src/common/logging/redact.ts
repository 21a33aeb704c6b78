/**
 * A request URL fit for logs: the value of every `access_token` query parameter is replaced,
 * however its name is spelt or percent-encoded (Fastify decodes `access%5Ftoken` to `access_token`).
 */
export function redactUrl(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart < 0) return url;
  const parameters = url
    .slice(queryStart + 1)
    .split('&')
    .map((parameter) => {
      const name = parameter.split('=', 1)[0];
      return isAccessTokenName(name) ? `${name}=<redacted>` : parameter;
    });
  return `${url.slice(0, queryStart + 1)}${parameters.join('&')}`;
}

function isAccessTokenName(name: string): boolean {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' ')).toLowerCase() === 'access_token';
  } catch {
    return true; // undecodable: redact rather than guess
  }
}
