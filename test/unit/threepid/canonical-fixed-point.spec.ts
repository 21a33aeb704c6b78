import { getCountries } from 'libphonenumber-js';
import { canonicalEmail, canonicalMsisdn, parsePhoneNumber } from '../../../src/threepid/domain/three-pid-address';

/**
 * A stored address must match itself: canonicalising a canonical form changes nothing, for every
 * input that has one. Otherwise an address, once added, can be neither deleted nor used to log in
 * (`groẞ` was stored as `groß`, which folds to `gross` the next time).
 */

/** The canonical form, or undefined for an input that has none (refused with a MatrixError). */
function canonicalOrNothing(canonicalise: () => string): string | undefined {
  try {
    return canonicalise();
  } catch (error) {
    if ((error as { status?: number }).status === 400) return undefined;
    throw error;
  }
}

/** Inputs whose canonical form is not canonical; reports at most `shown` of them. */
function notFixedPoints(inputs: Iterable<string>, canonicalise: (raw: string) => string, shown = 20): string[] {
  const failures: string[] = [];
  for (const raw of inputs) {
    const once = canonicalOrNothing(() => canonicalise(raw));
    if (once === undefined) continue;
    const twice = canonicalOrNothing(() => canonicalise(once));
    if (twice !== once && failures.length < shown) failures.push(`${JSON.stringify(raw)} → ${JSON.stringify(once)} → ${JSON.stringify(twice)}`);
  }
  return failures;
}

/** Every Unicode scalar value: all code points but the surrogates. */
function* everyCodePoint(): Generator<string> {
  for (let codePoint = 0; codePoint <= 0x10ffff; codePoint++) {
    if (codePoint < 0xd800 || codePoint > 0xdfff) yield String.fromCodePoint(codePoint);
  }
}

/**
 * Local parts holding every code point: runs of eight neighbours (each folded beside others, as in
 * a real address, and eight at a time, so that the whole range takes seconds), and each code point
 * of a run that has no canonical form again on its own, so that none goes untested.
 */
function* localPartsOfEveryCodePoint(domain: string): Generator<string> {
  let run: string[] = [];
  const flush = function* () {
    const address = `${run.join('')}@${domain}`;
    yield address;
    if (canonicalOrNothing(() => canonicalEmail(address)) === undefined) for (const character of run) yield `${character}@${domain}`;
    run = [];
  };
  for (const character of everyCodePoint()) {
    run.push(character);
    if (run.length === 8) yield* flush();
  }
  if (run.length > 0) yield* flush();
}

/** Deterministic, so that a failure is reproduced by the same run (mulberry32). */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = seededRandom(0x3b1d);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
const anyCodePoint = () => {
  const codePoint = between(0, 0x10ffff);
  return codePoint >= 0xd800 && codePoint <= 0xdfff ? 'x' : String.fromCodePoint(codePoint);
};

/** Characters whose case folding is special: expansions, final sigma, dotted I, compatibility letters. */
const TRICKY_LETTERS = [...'ßẞΣσςİıiIŉǰﬀﬁﬃﬆſKÅΩᾳᾼΐΰẚ\u0345ꭰᏸᲐა\u0307\u0301Ǆǅǆ'];
const LOCAL_CHARACTERS = [...'abcXYZ019.+-_=!#$%&*/?^`{|}~', ...TRICKY_LETTERS];
const DOMAIN_LABELS = [
  'example', 'EXAMPLE', 'ｅxample', 'ＥＸＡＭＰＬＥ', 'müller', 'MÜLLER', 'mu\u0308ller', 'xn--mller-kva', 'straße', 'STRAẞE', 'ﬁnance',
  'Ⅻ', 'exam\u00ADple', '例え', 'テスト', '😀', 'аpple', 'ελλάδα', 'ΕΛΛΆΔΑ', 'ς', 'org', 'de', 'co', 'a-b', '123',
];
const DOT = ['.', '.', '.', '。', '．'];

function* generatedEmails(count: number): Generator<string> {
  for (let i = 0; i < count; i++) {
    const local = Array.from({ length: between(1, 8) }, () => (random() < 0.1 ? anyCodePoint() : pick(LOCAL_CHARACTERS))).join('');
    const labels = Array.from({ length: between(1, 3) }, () => pick(DOMAIN_LABELS));
    yield `${local}@${labels.map((label, index) => (index === 0 ? label : `${pick(DOT)}${label}`)).join('')}${pick(DOT)}${pick(['org', 'de', 'テスト', 'ΕΛ'])}`;
  }
}

describe('canonical forms are fixed points: canonicalising twice changes nothing', () => {
  it('for a local part of every code point', () => {
    expect(notFixedPoints(localPartsOfEveryCodePoint('example.org'), canonicalEmail)).toEqual([]);
  });

  it('for generated addresses, domains through UTS #46 included', () => {
    expect(notFixedPoints(generatedEmails(50_000), canonicalEmail)).toEqual([]);
  });

  it('for the addresses the review found', () => {
    expect(canonicalEmail('groẞ@example.org')).toBe('gross@example.org');
    expect(canonicalEmail(canonicalEmail('groẞ@example.org'))).toBe('gross@example.org');
    expect(canonicalEmail('GROẞ@STRAẞE.de')).toBe('gross@strasse.de');
  });

  it('for phone numbers as msisdns', () => {
    const numbers = function* () {
      for (let i = 0; i < 20_000; i++) {
        const digits = Array.from({ length: between(1, 16) }, () => pick([...'0123456789'])).join('');
        yield `${pick(['', '+', ' +', ' '])}${digits.replace(/(\d{3})(?=\d)/g, (group) => (random() < 0.3 ? `${group} ` : group))}${pick(['', ' '])}`;
      }
    };
    expect(notFixedPoints(numbers(), canonicalMsisdn)).toEqual([]);
  });

  it('for phone numbers as dialled, in every country: the msisdn parses back to itself', () => {
    const failures: string[] = [];
    for (const country of getCountries()) {
      for (let i = 0; i < 40; i++) {
        const dialled = `${pick(['', '0', '00', '+'])}${Array.from({ length: between(4, 14) }, () => pick([...'0123456789'])).join('')}`;
        const parsed = canonicalOrNothing(() => parsePhoneNumber(country, dialled).msisdn);
        if (parsed === undefined) continue;
        const again = [canonicalOrNothing(() => canonicalMsisdn(parsed)), canonicalOrNothing(() => parsePhoneNumber(country, `+${parsed}`).msisdn)];
        if (again.some((form) => form !== parsed)) failures.push(`${country} ${dialled} → ${parsed} → ${again.join(', ')}`);
      }
    }
    expect(failures.slice(0, 20)).toEqual([]);
  });
});
