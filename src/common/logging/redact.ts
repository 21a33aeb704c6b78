/** Query parameters that carry secrets: access tokens, and the token and client_secret of e-mail links. */
const SECRET_PARAMETERS = new Set(['access_token', 'token', 'client_secret']);

/**
 * A request URL fit for logs: the value of every secret query parameter is replaced, however its
 * name is spelt or percent-encoded (Fastify decodes `access%5Ftoken` to `access_token`).
 */
export function redactUrl(url: string): string {
  const queryStart = url.indexOf('?');
  if (queryStart < 0) return url;
  const parameters = url
    .slice(queryStart + 1)
    .split('&')
    .map((parameter) => {
      const name = parameter.split('=', 1)[0];
      return isSecretName(name) ? `${name}=<redacted>` : parameter;
    });
  return `${url.slice(0, queryStart + 1)}${parameters.join('&')}`;
}

function isSecretName(name: string): boolean {
  try {
    return SECRET_PARAMETERS.has(decodeURIComponent(name.replace(/\+/g, ' ')).toLowerCase());
  } catch {
    return true; // undecodable: redact rather than guess
  }
}
