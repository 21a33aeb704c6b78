import { domainToASCII } from 'node:url';
import {
  canonicalAddress,
  canonicalEmail,
  canonicalEmailGlob,
  canonicalMsisdn,
  MAX_ADDRESS_BYTES,
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

  it('accepts domain labels of 63 characters, not more, counted in their ASCII form', () => {
    const label = 'l'.repeat(63);
    expect(canonicalEmail(`a@${label}.org`)).toBe(`a@${label}.org`);
    expect(() => canonicalEmail(`a@${label}l.org`)).toThrow(invalidParam);
    // 'ü' and 55 more letters is 63 characters as an A-label; one more letter is 64.
    expect(domainToASCII(`ü${'l'.repeat(55)}`)).toHaveLength(63);
    expect(canonicalEmail(`a@ü${'l'.repeat(55)}.org`)).toBe(`a@ü${'l'.repeat(55)}.org`);
    expect(() => canonicalEmail(`a@ü${'l'.repeat(56)}.org`)).toThrow(invalidParam);
  });

  /** A domain of `length` ASCII characters: labels of 63 at most, and a last one of what is left. */
  const domainOf = (length: number) => {
    const labels: string[] = [];
    for (let left = length; ; ) {
      if (left <= 63) return [...labels, 'd'.repeat(left)].join('.');
      const take = Math.min(63, left - 2);
      labels.push('l'.repeat(take));
      left -= take + 1;
    }
  };

  it(`accepts addresses of ${MAX_ADDRESS_BYTES} bytes, not one more, and domains of ${MAX_DOMAIN_LENGTH} at most (RFC 5321)`, () => {
    expect(canonicalEmail(`a@${domainOf(MAX_ADDRESS_BYTES - 2)}`)).toHaveLength(MAX_ADDRESS_BYTES);
    expect(() => canonicalEmail(`a@${domainOf(MAX_ADDRESS_BYTES - 1)}`)).toThrow(invalidParam);
    expect(() => canonicalEmail(`a@${domainOf(MAX_DOMAIN_LENGTH + 1)}`)).toThrow(invalidParam);
    // The longest local part with the longest domain it leaves room for.
    const local = 'l'.repeat(MAX_LOCAL_PART_BYTES);
    expect(canonicalEmail(`${local}@${domainOf(MAX_ADDRESS_BYTES - MAX_LOCAL_PART_BYTES - 1)}`)).toHaveLength(MAX_ADDRESS_BYTES);
    expect(() => canonicalEmail(`${local}@${domainOf(MAX_ADDRESS_BYTES - MAX_LOCAL_PART_BYTES)}`)).toThrow(
      expect.objectContaining({ errcode: 'M_INVALID_PARAM', message: expect.stringContaining(`${MAX_ADDRESS_BYTES} bytes`) }),
    );
  });

  it('measures the address with its domain in ASCII, as it goes on the wire', () => {
    // 'ü' + 55 letters is 56 characters, but 63 on the wire.
    const label = `ü${'l'.repeat(55)}`;
    const domain = `${label}.${label}.${label}.${'d'.repeat(61)}`; // 3 × 63 + 3 + 61 = 253 octets in ASCII, 232 characters
    expect(domainToASCII(domain)).toHaveLength(253);
    expect(() => canonicalEmail(`a@${domain}`)).toThrow(invalidParam);
    expect(canonicalEmail(`a@${domain.slice(0, -2)}`)).toBe(`a@${domain.slice(0, -2)}`);
  });

  it.each([
    ['a right-to-left override', 'adm\u202Enim@example.org'],
    ['a zero-width space', 'ad\u200Bmin@example.org'],
    ['a lone surrogate', 'a\uD800@example.org'],
    ['a zero-width joiner in the domain', 'a@exam\u200Dple.org'],
  ])('refuses %s', (_case, raw) => {
    expect(() => canonicalEmail(raw)).toThrow(invalidParam);
  });

  describe('domains, mapped as mail transports map them (IDNA, UTS #46)', () => {
    it.each([
      ['someone@ｅxample.org', 'someone@example.org'],
      ['someone@ＥＸＡＭＰＬＥ．ＯＲＧ', 'someone@example.org'],
      ['someone@example。org', 'someone@example.org'],
      ['someone@exam\u00ADple.org', 'someone@example.org'],
      ['someone@ﬁnance.example', 'someone@finance.example'],
      ['someone@Ⅻ.example', 'someone@xii.example'],
      ['someone@MÜLLER.de', 'someone@müller.de'],
      ['someone@xn--mller-kva.de', 'someone@müller.de'],
      ['someone@XN--MLLER-KVA.DE', 'someone@müller.de'],
      ['someone@mu\u0308ller.de', 'someone@müller.de'],
      // U+1E9E is 'ss' in UTS #46, unlike toLowerCase ('ß'); 'ß' itself stays (non-transitional).
      ['someone@STRAẞE.de', 'someone@strasse.de'],
      ['someone@straße.de', 'someone@straße.de'],
      ['someone@例え.テスト', 'someone@例え.テスト'],
      ['someone@😀.example', 'someone@😀.example'],
      // A look-alike is another domain: Cyrillic 'а' is not 'a', and stays what it is.
      ['someone@аpple.example', 'someone@аpple.example'],
    ])('canonicalises %j as %s', (raw, expected) => {
      expect(canonicalEmail(raw)).toBe(expected);
    });

    it.each([
      ['a zero-width joiner', 'a@exam\u200Dple.org'],
      ['a right-to-left override', 'a@exam\u202Eple.org'],
      ['a percent-escape', 'a@exam%70le.org'],
      ['an IPv4 address', 'a@127.0.0.1'],
      ['an IPv4 address in fullwidth digits', 'a@１２７.０.０.１'],
      ['an IPv4 address in hex, as URLs read it', 'a@0x7f.1'],
      ['a numeric top-level label', 'a@example.123'],
      ['an IP literal', 'a@[127.0.0.1]'],
      ['an IPv6 literal', 'a@[IPv6:::1]'],
      ['an underscore', 'a@exa_mple.org'],
      ['an underscore spelt in fullwidth', 'a@exa＿mple.org'],
      ['a slash spelt in fullwidth', 'a@example.org／evil.example'],
      ['a leading hyphen', 'a@-example.org'],
      ['a trailing hyphen', 'a@example-.org'],
      ['a trailing dot', 'a@example.org.'],
      ['a leading dot', 'a@.example.org'],
      ['an empty label', 'a@example..org'],
      ['only ignorable characters in a label', 'a@\u00AD.example.org'],
      ['an A-label that decodes to ASCII', 'a@xn--abc-.org'],
      ['an A-label that is not Punycode', 'a@xn--a.org'],
      ['a lone surrogate', 'a@exam\uD800ple.org'],
      ['U+FFFD', 'a@exam\uFFFDple.org'],
      ['a control character', 'a@exam\u0001ple.org'],
      ['a tab', 'a@exam\tple.org'],
      ['a symbol that maps to several labels', 'a@a\u2488.org'],
    ])('refuses a domain with %s', (_case, raw) => {
      expect(() => canonicalEmail(raw)).toThrow(invalidParam);
    });

    it.each([
      ['a single label', 'root@localhost'],
      ['a single label in capitals', 'root@LOCALHOST'],
      ['a single label in fullwidth letters', 'root@ｌｏｃａｌｈｏｓｔ'],
      ['a single internationalised label', 'root@müller'],
      ['a single A-label', 'root@xn--mller-kva'],
      ['a top-level domain alone', 'root@org'],
      ['an IPv4 address', 'postmaster@127.0.0.1'],
      ['a public IPv4 address', 'postmaster@192.0.2.1'],
      ['an IPv4 literal', 'postmaster@[127.0.0.1]'],
      ['an IPv6 literal', 'postmaster@[IPv6:2001:db8::1]'],
      ['an IPv6 literal in fullwidth brackets', 'postmaster@［IPv6:::1］'],
      ['an IPv4 address in fullwidth digits and dots', 'postmaster@１２７．０．０．１'],
    ])('refuses a domain that a public mail system cannot route: %s', (_case, raw) => {
      expect(() => canonicalEmail(raw)).toThrow(
        expect.objectContaining({ status: 400, errcode: 'M_INVALID_PARAM', message: expect.stringMatching(/domain/i) }),
      );
    });

    it('makes two spellings that reach one mailbox one address', () => {
      expect(canonicalEmail('Someone@ｅxample.ORG')).toBe(canonicalEmail('someone@example.org'));
      expect(canonicalEmail('someone@xn--mller-kva.de')).toBe(canonicalEmail('SOMEONE@Müller.DE'));
    });

    /** A small seeded generator, so that a failure can be replayed. */
    function* randomDomains(count: number, seed: number): Generator<string> {
      let state = seed;
      const random = () => {
        state = (state + 0x6d2b79f5) | 0;
        let t = Math.imul(state ^ (state >>> 15), 1 | state);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
      const pieces = [
        ...'abcxyzABCXYZ0189-',
        ...'ａｂｘＡＢＸ０９－', // fullwidth
        ...'äöüßẞÄÖÜéèçñ', // Latin with diacritics, precomposed
        '\u0301', '\u0308', '\u0327', // combining marks
        ...'αβγσςΣΑΩάό', // Greek, final sigma included
        ...'абвгдАБВ', // Cyrillic, look-alikes included
        ...'例えテスト中文한국', // CJK
        ...'אבגاب١٢', // right-to-left, with Arabic-Indic digits
        ...'ﬁﬂⅫ①', // compatibility forms
        '\u00AD', '\u200B', '\u200C', '\u200D', '\uFE0F', // ignorable and joiners
        '😀', '👍🏽', // emoji
        '。', '．', // dots other than '.'
        'xn--', 'xn--mller-kva', 'xn--abc-', 'xn--zca', // A-labels, good and bad
      ];
      for (let i = 0; i < count; i++) {
        const labels = Array.from({ length: 1 + Math.floor(random() * 3) }, () =>
          Array.from({ length: 1 + Math.floor(random() * 8) }, () => pick(pieces)).join(''),
        );
        yield [...labels, pick(['org', 'DE', 'ｃｏｍ', 'テスト', 'xn--zckzah', 'ελ'])].join('.');
      }
    }

    it('is idempotent, and keeps the mailbox: a canonical address canonicalises to itself and maps to the same ASCII domain', () => {
      let accepted = 0;
      const failures: unknown[] = [];
      for (const domain of randomDomains(20_000, 0x3a1d)) {
        let canonical: string;
        try {
          canonical = canonicalEmail(`someone@${domain}`);
        } catch {
          continue;
        }
        accepted++;
        const ascii = domainToASCII(canonical.slice('someone@'.length));
        let again: string | undefined;
        try {
          again = canonicalEmail(canonical);
        } catch {
          again = undefined;
        }
        if (again !== canonical || ascii !== domainToASCII(domain) || !/^[a-z0-9.-]+$/.test(ascii)) failures.push({ domain, canonical, again, ascii });
      }
      expect(failures).toEqual([]);
      // Enough of them map cleanly for the property to say something.
      expect(accepted).toBeGreaterThan(5_000);
    });
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

describe(canonicalEmailGlob.name, () => {
  it.each([
    ['*@ＥXAMPLE.org', '*@example.org'],
    ['*@xn--mller-kva.de', '*@müller.de'],
    ['*@*.MÜLLER.de', '*@*.müller.de'],
    ['Alice@example.org', 'Alice@example.org'],
    ['*@example.*', '*@example.*'],
    ['*', '*'],
    ['no-domain*', 'no-domain*'],
    ['*@exa%mple.org', '*@exa%mple.org'],
  ])('spells the domain of %j as canonical addresses do: %j', (glob, expected) => {
    expect(canonicalEmailGlob(glob)).toBe(expected);
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
