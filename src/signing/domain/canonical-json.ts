/**
 * Matrix canonical JSON, the text that signatures cover: object keys sorted by Unicode code point
 * at every level, no insignificant white space, UTF-8 with no `\u` escapes but for control
 * characters, and only integers in [-(2^53)+1, 2^53-1] as numbers. Any other server (Synapse's
 * Python `canonicaljson` among them) must produce the same bytes for the same value, or it cannot
 * verify what this server signs.
 * @see spec: Appendices, "Canonical JSON"
 *
 * Otherwise it follows `JSON.stringify`: `undefined` object members are left out (and are `null`
 * in arrays), and `toJSON()` is called where an object has one (a Date, say).
 *
 * Not `canonicalJson` in src/common, which only needs one stable encoding for hashing.
 */
export function encodeCanonicalJson(value: unknown): string {
  const text = encode(value, '', '$', []);
  if (text === undefined) throw new CanonicalJsonError('$', 'is not a JSON value');
  return text;
}

/** A value that has no canonical JSON encoding; `path` says where it is (`$.a[2].b`). */
export class CanonicalJsonError extends TypeError {
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`Cannot encode as canonical JSON: the value at ${path} ${problem}`);
    this.name = 'CanonicalJsonError';
  }
}

/** 2^53 - 1: integers beyond it cannot be told apart in the IEEE doubles that many JSON readers use. */
const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** With the `u` flag, paired surrogates are one code point, so only lone (unencodable) halves match. */
const LONE_SURROGATE = /\p{Surrogate}/u;

/**
 * The encoding, or undefined for what JSON leaves out (`undefined`). `key` is what JSON.stringify
 * passes to toJSON (the member name, the index, or '' at the top); `ancestors` catches cycles.
 */
function encode(value: unknown, key: string, path: string, ancestors: object[]): string | undefined {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: (key: string) => unknown }).toJSON(key);
  }
  switch (typeof value) {
    case 'undefined':
      return undefined;
    case 'boolean':
      return value ? 'true' : 'false';
    case 'string':
      return encodeString(value, path);
    case 'number':
      if (!Number.isInteger(value) || value < -MAX_SAFE || value > MAX_SAFE) {
        throw new CanonicalJsonError(path, `is not an integer from -(2^53)+1 to 2^53-1: ${value}`);
      }
      return String(value === 0 ? 0 : value); // -0 is 0
    case 'object':
      if (value === null) return 'null';
      if (ancestors.includes(value)) throw new CanonicalJsonError(path, 'contains itself');
      return Array.isArray(value) ? encodeArray(value, path, [...ancestors, value]) : encodeObject(value, path, [...ancestors, value]);
    default:
      throw new CanonicalJsonError(path, `is a ${typeof value}, which JSON cannot hold`);
  }
}

function encodeArray(items: unknown[], path: string, ancestors: object[]): string {
  // Array.from visits the holes of a sparse array too (as undefined, so null, as JSON does).
  return `[${Array.from(items, (item, index) => encode(item, String(index), `${path}[${index}]`, ancestors) ?? 'null').join(',')}]`;
}

function encodeObject(object: object, path: string, ancestors: object[]): string {
  const members: string[] = [];
  for (const key of Object.keys(object).sort(compareCodePoints)) {
    const encoded = encode((object as Record<string, unknown>)[key], key, `${path}.${key}`, ancestors);
    if (encoded !== undefined) members.push(`${encodeString(key, `${path} (key ${JSON.stringify(key)})`)}:${encoded}`);
  }
  return `{${members.join(',')}}`;
}

/**
 * JSON.stringify escapes exactly what Python's `json.dumps(ensure_ascii=False)` does: `"`, `\`,
 * and the control characters below U+0020 (as \b \f \n \r \t, or \u00XX). A lone surrogate has no
 * UTF-8 form at all, so no other server could reproduce the bytes: refused rather than escaped.
 */
function encodeString(text: string, path: string): string {
  if (LONE_SURROGATE.test(text)) throw new CanonicalJsonError(path, 'is a string holding half of a surrogate pair, which is not Unicode');
  return JSON.stringify(text);
}

/**
 * Code point order. JavaScript compares UTF-16 code units, which puts U+10000 and above (surrogate
 * pairs, D800-DFFF) before U+E000-U+FFFF; moving surrogates above that range at the first differing
 * unit gives code point order, the order of Python's str and of UTF-8 bytes.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

function codePointRank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}
