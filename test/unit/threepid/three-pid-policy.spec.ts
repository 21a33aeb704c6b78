import { Medium } from '../../../src/threepid/domain/medium';
import { MAX_NEXT_LINK_LENGTH, NextLinkPolicy, ThreePidAllowlist } from '../../../src/threepid/domain/three-pid-policy';

const denied = expect.objectContaining({ name: 'ThreePidDeniedError', status: 403, errcode: 'M_THREEPID_DENIED' });
const invalidNextLink = expect.objectContaining({ name: 'InvalidNextLinkError', status: 400, errcode: 'M_INVALID_PARAM' });

describe(ThreePidAllowlist.name, () => {
  it('allows any address when no pattern is configured', () => {
    const allowlist = new ThreePidAllowlist([]);
    expect(() => allowlist.assertAllowed('email', 'anyone@anywhere.example')).not.toThrow();
    expect(() => allowlist.assertAllowed('msisdn', '15555550123')).not.toThrow();
  });

  const allowlist = new ThreePidAllowlist([
    { medium: 'email', glob: '*@Example.ORG' },
    { medium: 'email', glob: 'a.b+c@literal.test' },
    { medium: 'email', glob: '[x]?(y)|z^$@literal.test' },
    { medium: 'msisdn', glob: '44*' },
  ]);

  it.each<[Medium, string]>([
    ['email', 'alice@example.org'],
    ['email', 'ALICE@EXAMPLE.ORG'],
    ['email', '@example.org'],
    ['email', 'a.b+c@literal.test'],
    ['email', '[x]?(y)|z^$@literal.test'],
    ['msisdn', '447700900123'],
  ])('allows %s %s', (medium, address) => {
    expect(() => allowlist.assertAllowed(medium, address)).not.toThrow();
  });

  it('takes a hyphen in a pattern literally', () => {
    const hyphenated = new ThreePidAllowlist([{ medium: 'email', glob: '*@my-company.org' }]);
    expect(() => hyphenated.assertAllowed('email', 'alice@my-company.org')).not.toThrow();
    expect(() => hyphenated.assertAllowed('email', 'alice@mycompany.org')).toThrow(expect.objectContaining({ errcode: 'M_THREEPID_DENIED' }));
  });

  it.each<[Medium, string]>([
    ['email', 'alice@sub.example.org'],
    ['email', 'alice@example.org.evil.test'],
    ['email', 'alice@example.organ'],
    ['email', 'axb+c@literal.test'],
    ['email', 'a.bbc@literal.test'],
    ['email', 'x?(y)|z^$@literal.test'],
    ['email', 'z^$@literal.test'],
    ['email', '447700900123'],
    ['msisdn', '147700900123'],
    ['msisdn', 'alice@example.org'],
  ])('denies %s %s with 403 M_THREEPID_DENIED', (medium, address) => {
    expect(() => allowlist.assertAllowed(medium, address)).toThrow(denied);
  });

  it('spells the domains of e-mail patterns as canonical addresses spell them, so that every spelling of a domain is matched', () => {
    const idna = new ThreePidAllowlist([
      { medium: 'email', glob: '*@ＥXAMPLE.org' },
      { medium: 'email', glob: '*@xn--mller-kva.de' },
      { medium: 'email', glob: '*@*.STRAẞE.de' },
    ]);
    for (const canonical of ['a@example.org', 'a@müller.de', 'a@sub.strasse.de']) {
      expect(() => idna.assertAllowed('email', canonical)).not.toThrow();
    }
    expect(() => idna.assertAllowed('email', 'a@xn--mller-kva.de.evil.test')).toThrow(denied);
  });

  it('names the medium in the message', () => {
    expect(() => allowlist.assertAllowed('email', 'bob@other.test')).toThrow('This email address is not allowed on this server');
    expect(() => allowlist.assertAllowed('msisdn', '15555550123')).toThrow('This phone number is not allowed on this server');
  });
});

describe(NextLinkPolicy.name, () => {
  describe('without a host list', () => {
    const policy = new NextLinkPolicy();

    it.each([
      ['https://example.org/done?x=1#frag', 'https://example.org/done?x=1#frag'],
      ['http://localhost:8080/', 'http://localhost:8080/'],
      ['HTTPS://Example.ORG', 'https://example.org/'],
    ])('accepts %s', (nextLink, href) => {
      expect(policy.parse(nextLink).href).toBe(href);
    });

    it.each([
      ['javascript:alert(1)'],
      ['JavaScript://example.org/%0Aalert(1)'],
      ['data:text/html,<script>alert(1)</script>'],
      ['file:///etc/passwd'],
      ['ftp://example.org/file'],
      ['/relative/path'],
      ['//example.org/scheme-relative'],
      ['example.org/done'],
      ['not a url'],
      [''],
      ['http://user:pass@example.org/'],
      ['https://trusted.example@evil.example/'],
      ['https://:pass@example.org/'],
      // The URL parser would drop or encode these silently: not the link the client wrote.
      ['https://example.org/\r\nSet-Cookie: a=b'],
      ['https://exa\tmple.org/'],
      [' https://example.org/'],
      ['https://example.org/\u0000'],
      ['https://example.org/a b'],
      ['https://example.org/\u0085'],
    ])('refuses %j with M_INVALID_PARAM', (nextLink) => {
      expect(() => policy.parse(nextLink)).toThrow(invalidNextLink);
    });

    it(`accepts ${MAX_NEXT_LINK_LENGTH} characters, not one more`, () => {
      const link = (length: number) => `https://example.org/${'a'.repeat(length - 'https://example.org/'.length)}`;
      expect(policy.parse(link(MAX_NEXT_LINK_LENGTH)).href).toHaveLength(MAX_NEXT_LINK_LENGTH);
      expect(() => policy.parse(link(MAX_NEXT_LINK_LENGTH + 1))).toThrow(invalidNextLink);
    });
  });

  describe('with a host list', () => {
    const policy = new NextLinkPolicy(['example.org', '*.trusted.test', 'UPPER.TEST']);

    it.each([
      ['https://example.org/done'],
      ['https://EXAMPLE.org:8443/done'],
      ['https://app.trusted.test/'],
      ['https://a.b.trusted.test/'],
      ['http://upper.test/'],
    ])('accepts %s', (nextLink) => {
      expect(policy.parse(nextLink)).toBeInstanceOf(URL);
    });

    it.each([
      ['https://trusted.test/'],
      ['https://eviltrusted.test/'],
      ['https://sub.example.org/'],
      ['https://example.org.evil.test/'],
      ['https://example.org@evil.test/'],
      ['https://evil.test\\@example.org/'],
      ['https://evil.test/?next=https://example.org/'],
      ['javascript://example.org/%0Aalert(1)'],
    ])('refuses %s', (nextLink) => {
      expect(() => policy.parse(nextLink)).toThrow(invalidNextLink);
    });
  });
});

describe(`${ThreePidAllowlist.name} as the default ThreePidPolicy`, () => {
  const allowlist = new ThreePidAllowlist([{ medium: 'email', glob: '*@example.org' }]);

  it('lets anyone add what the list allows, and nothing else', () => {
    expect(allowlist.mayAdd({ medium: 'email', address: 'alice@example.org' })).toBe(true);
    expect(allowlist.mayAdd({ medium: 'email', address: 'alice@example.org', userId: '@bob:example.org' })).toBe(true);
    expect(allowlist.mayAdd({ medium: 'email', address: 'alice@example.com', userId: '@alice:example.org' })).toBe(false);
    expect(allowlist.mayAdd({ medium: 'msisdn', address: '447700900123' })).toBe(false);
  });

  it('lets users remove any address of theirs', () => {
    expect(allowlist.mayRemove()).toBe(true);
  });
});
