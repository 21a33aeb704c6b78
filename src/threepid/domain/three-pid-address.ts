import { domainToASCII, domainToUnicode } from 'node:url';
import { parsePhoneNumberWithError, isSupportedCountry, type CountryCode } from 'libphonenumber-js';
import { Medium } from './medium';
import { InvalidEmailError, InvalidPhoneNumberError } from './validation.errors';

/**
 * Characters that have no place in an unquoted local part: RFC 5322 specials, spaces, controls, and
 * invisible format characters (a right-to-left override would make one address look like another),
 * and lone UTF-16 surrogates (a database would store them as U+FFFD, another address).
 */
const LOCAL_PART_FORBIDDEN = /[\s\p{Cc}\p{Cf}\p{Cs}<>()[\]\\,;:"]/u;
/**
 * ASCII that never belongs in a domain as typed: anything but letters, digits, `-` and `.`. The
 * IDNA mapper is a URL host parser and would act on some of it (`%` is percent-decoded, `0x7f.1`
 * read as an IPv4 address), which no mail transport does.
 */
const ASCII_OUTSIDE_DOMAIN = /[\x00-\x2c\x2f\x3a-\x40\x5b-\x60\x7b-\x7f]/;
/** A domain label as it goes on the wire: letters, digits and inner hyphens, at most 63 (an A-label is one too). */
const WIRE_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** RFC 5321 limits, in octets as the address goes on the wire (local part in UTF-8, domain in ASCII). */
export const MAX_LOCAL_PART_BYTES = 64;
export const MAX_DOMAIN_LENGTH = 253;
export const MAX_ADDRESS_BYTES = 254;

/**
 * The one form an e-mail address is stored, compared and looked up in, so that two spellings that
 * reach one mailbox are one address: surrounding white space stripped, the local part case-folded
 * (`Strauß` and `STRAUSS` are the same mailbox, MSC2265) and the domain mapped as mail transports
 * map it on the way out (IDNA, UTS #46: `ｅxample.org` is delivered to `example.org`, `MÜLLER.de`
 * to `xn--mller-kva.de`), kept in its Unicode form (`müller.de`), as people write it. Throws
 * InvalidEmailError for anything that is not one `local@domain`, for a domain that does not map
 * cleanly to letters, digits and hyphens, and beyond the RFC 5321 lengths, so that nothing is
 * stored or sent that no mail server would take.
 */
export function canonicalEmail(raw: string): string {
  const parts = raw.trim().split('@');
  if (parts.length !== 2) throw new InvalidEmailError();
  const local = caseFold(parts[0]);
  if (!local || LOCAL_PART_FORBIDDEN.test(local)) throw new InvalidEmailError();
  if (Buffer.byteLength(local) > MAX_LOCAL_PART_BYTES) {
    throw new InvalidEmailError(`The part of an email address before the @ may be at most ${MAX_LOCAL_PART_BYTES} bytes long`);
  }
  const domain = mapDomain(parts[1]);
  if (Buffer.byteLength(local) + 1 + domain.ascii.length > MAX_ADDRESS_BYTES) {
    throw new InvalidEmailError(`An email address may be at most ${MAX_ADDRESS_BYTES} bytes long, its domain written in ASCII`);
  }
  return `${local}@${domain.unicode}`;
}

/** `[127.0.0.1]`, `[IPv6:…]`, in brackets of any width: an address literal (RFC 5321, 4.1.3). */
const ADDRESS_LITERAL = /^[[［].*[\]］]$/;

const NOT_A_NAME = 'The domain of an email address must be a name, not an IP address or an address literal';
const SINGLE_LABEL = 'The domain of an email address must have more than one label (example.org): a single one, such as localhost, is not routable';

/**
 * A domain through UTS #46 (as WHATWG URL hosts are, by the platform), in its ASCII form (what goes
 * on the wire, and what the lengths are measured in) and its Unicode form (what is stored). Refused
 * unless every label is letters, digits and inner hyphens once mapped, and the Unicode form maps
 * back to the same ASCII form: an A-label that decodes to something else (`xn--abc-` is `abc`)
 * names another domain than it spells. Refused too, always, what a public mail system cannot
 * route: an address literal or an IP address (a last label all digits), and a single label
 * (`root@localhost`), which only a local resolver could make anything of.
 */
function mapDomain(raw: string): { ascii: string; unicode: string } {
  if (ADDRESS_LITERAL.test(raw)) throw new InvalidEmailError(NOT_A_NAME);
  if (ASCII_OUTSIDE_DOMAIN.test(raw)) throw new InvalidEmailError();
  const ascii = domainToASCII(raw);
  const labels = ascii.split('.');
  if (!ascii || ascii.length > MAX_DOMAIN_LENGTH || !labels.every((label) => WIRE_LABEL.test(label))) throw new InvalidEmailError();
  if (/^\d+$/.test(labels.at(-1)!)) throw new InvalidEmailError(NOT_A_NAME);
  if (labels.length < 2) throw new InvalidEmailError(SINGLE_LABEL);
  const unicode = domainToUnicode(ascii);
  if (domainToASCII(unicode) !== ascii) throw new InvalidEmailError();
  return { ascii, unicode };
}

/**
 * An allow-list glob over e-mail addresses, its domain spelt as canonicalEmail spells domains
 * (`*@ＥXAMPLE.org` is `*@example.org`, `*@xn--mller-kva.de` is `*@müller.de`), so that it matches
 * every spelling of the domains it names. Each literal run of the domain between `*`s is mapped on
 * its own; a run that does not map is kept as written.
 */
export function canonicalEmailGlob(glob: string): string {
  const at = glob.lastIndexOf('@');
  if (at < 0) return glob;
  const domain = glob
    .slice(at + 1)
    .split('*')
    .map((run) => {
      const ascii = ASCII_OUTSIDE_DOMAIN.test(run) ? '' : domainToASCII(run);
      return ascii ? domainToUnicode(ascii) : run;
    })
    .join('*');
  return `${glob.slice(0, at + 1)}${domain}`;
}

/**
 * Full Unicode case folding as far as JavaScript offers it, to match Python's str.casefold() used
 * by Synapse: upper-casing first expands `ß` to `SS` (plain toLowerCase would keep `ß`), and the
 * final sigma `ς`, which toLowerCase produces at the end of a word, folds to `σ`. One round is not
 * always the end: capital `ẞ` upper-cases to itself and lower-cases to `ß`, which the next round
 * makes `ss`. So rounds repeat until nothing changes (two at most, for any code point), and a
 * folded text folds to itself: a stored address always matches itself.
 */
function caseFold(text: string): string {
  for (let folded = text; ; ) {
    const next = folded.toUpperCase().toLowerCase().replace(/ς/g, 'σ');
    if (next === folded) return folded;
    folded = next;
  }
}

/** Digits with the usual separators, and an optional leading `+` (after trimming: no ambiguous spaces to backtrack over). */
const DIALLED_NUMBER = /^\+?[\d\s().\/-]+$/;

/** Longer than any number written with separators. */
const MAX_PHONE_NUMBER_LENGTH = 64;

/** E.164: a country code, then at most 15 digits in all. */
const E164_DIGITS = /^[1-9]\d{0,14}$/;

export interface PhoneNumber {
  /** E.164 digits without the `+`: how Matrix writes an msisdn (GB 07700900123 → 447700900123). */
  msisdn: string;
  /** For people: `+44 7700 900123`. */
  international: string;
}

/**
 * A phone number as dialled in `country` (ISO 3166-1 alpha-2); a number starting with `+` ignores
 * the country. Any number of a possible length for its region is accepted, not only allocated
 * ranges, so that test and drama numbers (07700 900xxx) work as they do in Synapse.
 */
export function parsePhoneNumber(country: string, phoneNumber: string): PhoneNumber {
  const region = country.trim().toUpperCase();
  if (!/^[A-Z]{2}$/.test(region) || !isSupportedCountry(region)) {
    throw new InvalidPhoneNumberError(`Unknown country code "${country.slice(0, 8)}"`);
  }
  // Only what people write in a number; libphonenumber would otherwise pick a number out of any text.
  if (phoneNumber.length > MAX_PHONE_NUMBER_LENGTH || !DIALLED_NUMBER.test(phoneNumber.trim())) throw new InvalidPhoneNumberError();
  let parsed;
  try {
    parsed = parsePhoneNumberWithError(phoneNumber, region as CountryCode);
  } catch {
    throw new InvalidPhoneNumberError();
  }
  if (!parsed.isPossible() || parsed.ext || !isFixedPoint(parsed.number)) throw new InvalidPhoneNumberError();
  return { msisdn: parsed.number.slice(1), international: parsed.formatInternational() };
}

/**
 * Whether an E.164 number is its own canonical form: E.164 digits as canonicalMsisdn takes them,
 * which parse, in full, to themselves. Some national inputs keep a trunk `0` after the country
 * code (`0046722214` in AU is `+61046722214`), which parsing the full form drops again
 * (`6146722214`), and some are longer than E.164's 15 digits: either would be stored in a form
 * that the same number, given again, does not match.
 */
function isFixedPoint(e164: string): boolean {
  if (!E164_DIGITS.test(e164.slice(1))) return false;
  try {
    const again = parsePhoneNumberWithError(e164);
    return again.isPossible() && !again.ext && again.number === e164;
  } catch {
    return false;
  }
}

/** An msisdn as Matrix writes it: E.164 digits without `+` (a leading `+` and spaces are forgiven). */
export function canonicalMsisdn(raw: string): string {
  const digits = raw.trim().replace(/^\+/, '').replace(/ /g, '');
  if (!E164_DIGITS.test(digits)) throw new InvalidPhoneNumberError('A phone number must be given as E.164 digits, e.g. 447700900123');
  return digits;
}

/** The canonical form of an address of any medium; throws a 400 MatrixError if it has none. */
export function canonicalAddress(medium: Medium, raw: string): string {
  return medium === 'email' ? canonicalEmail(raw) : canonicalMsisdn(raw);
}
