const ACCESS_TOKEN_PARAM = /([?&]access_token=)[^&#]*/gi;

/** A request URL fit for logs: the access_token query value never appears. */
export function redactUrl(url: string): string {
  return url.replace(ACCESS_TOKEN_PARAM, '$1<redacted>');
}
