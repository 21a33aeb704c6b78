/**
 * JSON with the object keys at every level in one fixed order (sorted; JavaScript puts integer-like
 * keys first), so that two encodings of the same value (keys in another order, other white space)
 * give the same text. Not Matrix's canonical JSON, which signatures need: that is
 * encodeCanonicalJson in src/signing/domain/canonical-json.ts.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner !== null && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}
