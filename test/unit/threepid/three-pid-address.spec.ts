import { canonicalEmail, MAX_EMAIL_LENGTH, parsePhoneNumber } from '../../../src/threepid/domain/three-pid-address';

const invalidParam = expect.objectContaining({ status: 400, errcode: 'M_INVALID_PARAM' });

describe(canonicalEmail.name, () => {
  it.each([
    ['foo@TEST.BAR', 'foo@test.bar'],
    ['foo@Öumlaut.com', 'foo@öumlaut.com'],
    ['Strauß@Example.com', 'strauss@example.com'],
    ['STRAUSS@example.com', 'strauss@example.com'],
    [' foo@test.bar ', 'foo@test.bar'],
    ['\tFoo.Bar+tag@Sub.Example.ORG\n', 'foo.bar+tag@sub.example.org'],
    // Python's casefold() has no final sigma: both spellings are one mailbox.
    ['ΣΑΣ@example.org', 'σασ@example.org'],
    ['aς@example.org', 'aσ@example.org'],
  ])('canonicalises %j as %s', (raw, expected) => {
    expect(canonicalEmail(raw)).toBe(expected);
  });

  it.each([
    ['a@b@c'],
    ['@example.org'],
    ['no-at-sign'],
    [''],
    ['a b@example.org'],
    ['a<b>@example.org'],
    ['"a"@example.org'],
    ['a\u0000b@example.org'],
    ['a@exa mple.org'],
    ['a@'],
    ['a@example..org'],
    ['a@example.org.'],
    ['a@exa_mple.org'],
    ['a@[127.0.0.1]'],
    ['a\r\nBcc: x@y@z'],
    ['a\r\nBcc: x@y.z'],
  ])('refuses %j with M_INVALID_PARAM', (raw) => {
    expect(() => canonicalEmail(raw)).toThrow(invalidParam);
  });

  it(`accepts ${MAX_EMAIL_LENGTH} characters, not one more`, () => {
    const address = (length: number) => `${'a'.repeat(length - '@example.org'.length)}@example.org`;
    expect(canonicalEmail(address(MAX_EMAIL_LENGTH))).toHaveLength(MAX_EMAIL_LENGTH);
    expect(() => canonicalEmail(address(MAX_EMAIL_LENGTH + 1))).toThrow(invalidParam);
  });

  it('measures the canonical form, which case folding can make longer', () => {
    const raw = `${'ß'.repeat(250)}@x.org`;
    expect(raw.length).toBeLessThan(MAX_EMAIL_LENGTH);
    expect(() => canonicalEmail(raw)).toThrow(invalidParam);
  });
});

describe(parsePhoneNumber.name, () => {
  it.each([
    ['GB', '07700900123', '447700900123', '+44 7700 900123'],
    ['gb', '07700 900123', '447700900123', '+44 7700 900123'],
    [' Gb ', '07700-900-123', '447700900123', '+44 7700 900123'],
    ['US', '+44 7700 900123', '447700900123', '+44 7700 900123'],
    ['US', '(201) 555-0123', '12015550123', '+1 201 555 0123'],
    ['FR', '06 12 34 56 78', '33612345678', '+33 6 12 34 56 78'],
  ])('reads %j %j as %s (%s)', (country, phoneNumber, msisdn, international) => {
    expect(parsePhoneNumber(country, phoneNumber)).toEqual({ msisdn, international });
  });

  it.each([
    ['XX', '07700900123'],
    ['', '07700900123'],
    ['GBR', '07700900123'],
    ['G1', '07700900123'],
    ['GB', ''],
    ['GB', 'not a number'],
    ['GB', '+'],
    ['GB', '0770'],
    ['GB', '0770090012345678'],
    ['GB', '+999 123'],
    ['GB', '07700900123abc'],
    ['GB', '07700900123 ext. 5'],
    ['GB', 'call 07700900123'],
  ])('refuses country %j and number %j with M_INVALID_PARAM', (country, phoneNumber) => {
    expect(() => parsePhoneNumber(country, phoneNumber)).toThrow(invalidParam);
  });

  it('names an unknown country in the error', () => {
    expect(() => parsePhoneNumber('XX', '07700900123')).toThrow('Unknown country code "XX"');
  });
});
