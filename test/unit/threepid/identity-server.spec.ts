import { IdentityServerPolicy, IdServer } from '../../../src/threepid/domain/identity-server';

describe(IdServer.name, () => {
  it.each([
    ['id.example.org', 'id.example.org', undefined],
    ['ID.Example.ORG', 'id.example.org', undefined],
    ['id.example.org:8090', 'id.example.org', 8090],
    ['localhost', 'localhost', undefined],
    ['127.0.0.1:1', '127.0.0.1', 1],
    ['[::1]', '::1', undefined],
    ['[2001:DB8::1]:443', '2001:db8::1', 443],
    ['xn--bcher-kva.example', 'xn--bcher-kva.example', undefined],
  ])('reads %j as host %j, port %j', (raw, host, port) => {
    const idServer = IdServer.parse(raw);
    expect({ host: idServer.host, port: idServer.port }).toEqual({ host, port });
  });

  it('writes itself back canonically, IPv6 in brackets', () => {
    expect(IdServer.parse('ID.example.org:8090').toString()).toBe('id.example.org:8090');
    expect(IdServer.parse('[2001:DB8::1]:443').toString()).toBe('[2001:db8::1]:443');
    expect(IdServer.parse('[::1]').toString()).toBe('[::1]');
  });

  it.each([
    ['a scheme', 'https://id.example.org'],
    ['a path', 'id.example.org/_matrix'],
    ['userinfo', 'user@id.example.org'],
    ['a query', 'id.example.org?x=1'],
    ['a fragment', 'id.example.org#x'],
    ['port 0', 'id.example.org:0'],
    ['a port over 65535', 'id.example.org:65536'],
    ['an empty port', 'id.example.org:'],
    ['a bare IPv6 literal', '::1'],
    ['a bracketed non-IPv6', '[id.example.org]'],
    ['an IPv4 literal in brackets', '[127.0.0.1]'],
    ['dotted numbers that are no IPv4 address', '127.1'],
    ['an IPv4 address in hexadecimal', '0x7f.1'],
    ['an IPv4 address in hexadecimal octets', '0x7f.0x0.0x0.0x1'],
    ['a numeric last label', 'id.example.123'],
    ['a hexadecimal last label', 'id.example.0x1f'],
    ['an out-of-range IPv4 octet', '256.0.0.1'],
    ['a label with an underscore', 'id_server.example.org'],
    ['a label starting with a hyphen', '-id.example.org'],
    ['a trailing dot', 'id.example.org.'],
    ['an empty label', 'id..example.org'],
    ['white space', ' id.example.org'],
    ['a control character', 'id.example.org\n'],
    ['nothing', ''],
    ['Unicode', 'идентификация.рф'],
    ['a label of 64 characters', `${'a'.repeat(64)}.example.org`],
  ])('refuses %s (%j) with 400 M_INVALID_PARAM', (_case, raw) => {
    expect(() => IdServer.parse(raw)).toThrow(expect.objectContaining({ status: 400, errcode: 'M_INVALID_PARAM' }));
  });
});

describe(IdentityServerPolicy.name, () => {
  it('trusts any well-formed server when no allow-list is set (public addresses are the gateway\'s business)', () => {
    const policy = new IdentityServerPolicy([]);
    expect(policy.trusted('vector.im').toString()).toBe('vector.im');
    expect(policy.isListed(IdServer.parse('127.0.0.1:8090'))).toBe(false);
  });

  it('trusts only the servers on the allow-list, each exactly: host, or host and port', () => {
    const policy = new IdentityServerPolicy(['vector.im', 'ID.example.org:8090', '[::1]:9000']);
    expect(policy.trusted('Vector.IM').toString()).toBe('vector.im');
    expect(policy.trusted('id.example.org:8090').toString()).toBe('id.example.org:8090');
    expect(policy.trusted('[::1]:9000').toString()).toBe('[::1]:9000');
    for (const other of ['vector.im:8443', 'id.example.org', 'evil.example.org', '[::1]']) {
      expect(() => policy.trusted(other)).toThrow(expect.objectContaining({ status: 400, errcode: 'M_SERVER_NOT_TRUSTED' }));
    }
  });

  it('checks the syntax before the list: a malformed value is M_INVALID_PARAM', () => {
    const policy = new IdentityServerPolicy(['vector.im']);
    expect(() => policy.trusted('https://vector.im')).toThrow(expect.objectContaining({ errcode: 'M_INVALID_PARAM' }));
  });
});
