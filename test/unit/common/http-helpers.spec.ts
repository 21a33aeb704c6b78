import { RouteTable } from '../../../src/common/http/route-table';
import { redactUrl } from '../../../src/common/logging/redact';

describe(RouteTable.name, () => {
  const routes = new RouteTable();
  routes.add('GET', '/_matrix/client/v3/account/3pid');
  routes.add('HEAD', '/_matrix/client/v3/account/3pid');
  routes.add('POST', '/_matrix/client/v3/rooms/:roomId/leave');
  routes.add('GET', '/docs/*');

  it('lists the methods registered for a concrete path, ignoring the query string', () => {
    expect(routes.methodsFor('/_matrix/client/v3/account/3pid?access_token=x')).toEqual(['GET', 'HEAD']);
  });

  it('matches parameters and wildcards', () => {
    expect(routes.methodsFor('/_matrix/client/v3/rooms/!abc:x/leave')).toEqual(['POST']);
    expect(routes.methodsFor('/docs/swagger-ui.css')).toEqual(['GET']);
  });

  it('decodes percent-escapes in the path as the router does', () => {
    expect(routes.methodsFor('/_matrix/client/v3/account/%33pid')).toEqual(['GET', 'HEAD']);
  });

  it('knows nothing of other paths, including near misses', () => {
    expect(routes.methodsFor('/_matrix/client/v3/account/3pidx')).toEqual([]);
    expect(routes.methodsFor('/_matrix/client/v3/account')).toEqual([]);
  });
});

describe(redactUrl.name, () => {
  it.each([
    ['/x?access_token=abc', '/x?access_token=<redacted>'],
    ['/x?a=1&access_token=abc&b=2', '/x?a=1&access_token=<redacted>&b=2'],
    ['/x?ACCESS_TOKEN=abc', '/x?ACCESS_TOKEN=<redacted>'],
    ['/x?access_token=a&access_token=b', '/x?access_token=<redacted>&access_token=<redacted>'],
    ['/x?my_access_token=abc', '/x?my_access_token=abc'],
    ['/x?access%5Ftoken=abc', '/x?access%5Ftoken=<redacted>'],
    ['/x?%61ccess_token=abc&b=2', '/x?%61ccess_token=<redacted>&b=2'],
    ['/x?access_token', '/x?access_token=<redacted>'],
    ['/x?%zz=abc', '/x?%zz=<redacted>'],
    ['/x', '/x'],
    ['/submit_token?token=abc&client_secret=s3cret&sid=S1d', '/submit_token?token=<redacted>&client_secret=<redacted>&sid=S1d'],
    ['/x?sid=S1d&TOKEN=abc&Client_Secret=s3cret', '/x?sid=S1d&TOKEN=<redacted>&Client_Secret=<redacted>'],
    ['/x?client%5Fsecret=s3cret&sid=S1d', '/x?client%5Fsecret=<redacted>&sid=S1d'],
    ['/x?%74oken=abc&sid=S1d', '/x?%74oken=<redacted>&sid=S1d'],
    ['/x?next_token=1&client_secrets=2&sid=S1d', '/x?next_token=1&client_secrets=2&sid=S1d'],
  ])('turns %s into %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});
