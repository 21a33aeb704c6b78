import {
  canonicalAddress,
  canonicalEmail,
  canonicalMsisdn,
  MAX_DOMAIN_LENGTH,
  MAX_LOCAL_PART_BYTES,
  parsePhoneNumber,
} from '../../../src/threepid/domain/three-pid-address';

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

  it(`accepts a local part of ${MAX_LOCAL_PART_BYTES} bytes, not one more, counted after case folding`, () => {
    expect(canonicalEmail(`${'a'.repeat(MAX_LOCAL_PART_BYTES)}@example.org`)).toBe(`${'a'.repeat(MAX_LOCAL_PART_BYTES)}@example.org`);
    expect(() => canonicalEmail(`${'a'.repeat(MAX_LOCAL_PART_BYTES + 1)}@example.org`)).toThrow(invalidParam);
    expect(canonicalEmail(`${'é'.repeat(MAX_LOCAL_PART_BYTES / 2)}@example.org`)).toHaveLength(MAX_LOCAL_PART_BYTES / 2 + 12);
    expect(() => canonicalEmail(`${'é'.repeat(MAX_LOCAL_PART_BYTES / 2 + 1)}@example.org`)).toThrow(invalidParam);
  });

  it(`accepts domain labels of 63 characters and domains of ${MAX_DOMAIN_LENGTH}, not more`, () => {
    const label = 'l'.repeat(63);
    expect(canonicalEmail(`a@${label}.org`)).toBe(`a@${label}.org`);
    expect(() => canonicalEmail(`a@${label}l.org`)).toThrow(invalidParam);
    const domain = (length: number) => `${`${label}.`.repeat(3)}${'d'.repeat(length - 64 * 3)}`;
    expect(canonicalEmail(`a@${domain(MAX_DOMAIN_LENGTH)}`)).toBe(`a@${domain(MAX_DOMAIN_LENGTH)}`);
    expect(() => canonicalEmail(`a@${domain(MAX_DOMAIN_LENGTH + 1)}`)).toThrow(invalidParam);
  });

  it.each([
    ['a right-to-left override', 'adm\u202Enim@example.org'],
    ['a zero-width space', 'ad\u200Bmin@example.org'],
    ['a lone surrogate', 'a\uD800@example.org'],
    ['a zero-width joiner in the domain', 'a@exam\u200Dple.org'],
  ])('refuses %s', (_case, raw) => {
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
    ['GB', `${' '.repeat(60_000)}x`],
    ['GB', `${'1 '.repeat(40)}`],
  ])('refuses country %j and number %j with M_INVALID_PARAM', (country, phoneNumber) => {
    expect(() => parsePhoneNumber(country, phoneNumber)).toThrow(invalidParam);
  });

  it('names an unknown country in the error', () => {
    expect(() => parsePhoneNumber('XX', '07700900123')).toThrow('Unknown country code "XX"');
  });
});

describe(canonicalMsisdn.name, () => {
  it.each([
    ['447700900123', '447700900123'],
    ['+447700900123', '447700900123'],
    [' +44 7700 900123 ', '447700900123'],
    ['\t12015550123\n', '12015550123'],
    ['1', '1'],
    ['123456789012345', '123456789012345'],
  ])('reads %j as %s', (raw, expected) => {
    expect(canonicalMsisdn(raw)).toBe(expected);
  });

  it.each([
    [''],
    ['+'],
    ['07700900123'],
    ['0'],
    ['++447700900123'],
    ['44+7700900123'],
    ['1234567890123456'],
    ['44-7700-900123'],
    ['(44) 7700900123'],
    ['44\t7700900123'],
    ['447700900123x'],
    ['４４７７００９００１２３'],
  ])('refuses %j with M_INVALID_PARAM', (raw) => {
    expect(() => canonicalMsisdn(raw)).toThrow(invalidParam);
  });

  it('says how a phone number must be written', () => {
    expect(() => canonicalMsisdn('07700900123')).toThrow(/E\.164/);
  });
});

describe(canonicalAddress.name, () => {
  it('canonicalises an e-mail address as canonicalEmail does', () => {
    expect(canonicalAddress('email', ' Strauß@Example.ORG ')).toBe('strauss@example.org');
  });

  it('canonicalises a phone number as canonicalMsisdn does', () => {
    expect(canonicalAddress('msisdn', '+44 7700 900123')).toBe('447700900123');
  });

  it.each([
    ['email', '447700900123'],
    ['msisdn', 'alice@example.org'],
  ] as const)('refuses a %s address %j of the other medium with M_INVALID_PARAM', (medium, raw) => {
    expect(() => canonicalAddress(medium, raw)).toThrow(invalidParam);
  });
});
