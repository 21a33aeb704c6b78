import { parsePhoneNumberWithError, isSupportedCountry, type CountryCode } from 'libphonenumber-js';
import { Medium } from './medium';
import { InvalidEmailError, InvalidPhoneNumberError } from './validation.errors';

/**
 * Characters that have no place in an unquoted local part: RFC 5322 specials, spaces, controls, and
 * invisible format characters (a right-to-left override would make one address look like another),
 * and lone UTF-16 surrogates (a database would store them as U+FFFD, another address).
 */
const LOCAL_PART_FORBIDDEN = /[\s\p{Cc}\p{Cf}\p{Cs}<>()[\]\\,;:"]/u;
/** A domain label: letters, digits and hyphens (Unicode allowed), at most 63 of them. */
const DOMAIN_LABEL = /^[\p{L}\p{M}\p{N}-]{1,63}$/u;
/**
 * RFC 5321 limits, so that an address no mail server would take is refused here rather than when
 * sending (and an address is at most 320 characters, well within Synapse's 500).
 */
export const MAX_LOCAL_PART_BYTES = 64;
export const MAX_DOMAIN_LENGTH = 255;

/**
 * The one form an e-mail address is stored, compared and looked up in: surrounding white space
 * stripped, the local part case-folded (`Strauß` and `STRAUSS` are the same mailbox, MSC2265) and
 * the domain lower-cased. Throws InvalidEmailError for anything that is not one `local@domain`.
 */
export function canonicalEmail(raw: string): string {
  const parts = raw.trim().split('@');
  if (parts.length !== 2) throw new InvalidEmailError();
  const [local, domain] = [caseFold(parts[0]), parts[1].toLowerCase()];
  if (!local || LOCAL_PART_FORBIDDEN.test(local) || Buffer.byteLength(local) > MAX_LOCAL_PART_BYTES) {
    throw new InvalidEmailError();
  }
  if (domain.length > MAX_DOMAIN_LENGTH || !domain.split('.').every((label) => DOMAIN_LABEL.test(label))) throw new InvalidEmailError();
  return `${local}@${domain}`;
}

/**
 * Full Unicode case folding as far as JavaScript offers it, to match Python's str.casefold() used
 * by Synapse: upper-casing first expands `ß` to `SS` (plain toLowerCase would keep `ß`), and the
 * final sigma `ς`, which toLowerCase produces at the end of a word, folds to `σ`.
 */
function caseFold(text: string): string {
  return text.toUpperCase().toLowerCase().replace(/ς/g, 'σ');
}

/** Digits with the usual separators, and an optional leading `+` (after trimming: no ambiguous spaces to backtrack over). */
const DIALLED_NUMBER = /^\+?[\d\s().\/-]+$/;

/** Longer than any number written with separators. */
const MAX_PHONE_NUMBER_LENGTH = 64;

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
  if (!parsed.isPossible() || parsed.ext) throw new InvalidPhoneNumberError();
  return { msisdn: parsed.number.slice(1), international: parsed.formatInternational() };
}

/** An msisdn as Matrix writes it: E.164 digits without `+` (a leading `+` and spaces are forgiven). */
export function canonicalMsisdn(raw: string): string {
  const digits = raw.trim().replace(/^\+/, '').replace(/ /g, '');
  if (!/^[1-9]\d{0,14}$/.test(digits)) throw new InvalidPhoneNumberError('A phone number must be given as E.164 digits, e.g. 447700900123');
  return digits;
}

/** The canonical form of an address of any medium; throws a 400 MatrixError if it has none. */
export function canonicalAddress(medium: Medium, raw: string): string {
  return medium === 'email' ? canonicalEmail(raw) : canonicalMsisdn(raw);
}
