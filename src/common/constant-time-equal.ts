import { timingSafeEqual } from 'node:crypto';

/**
 * Whether two secrets, or digests of secrets, are equal, in a time that does not depend on where
 * they first differ: a client timing the answers learns nothing of a stored value byte by byte.
 * Unequal lengths answer at once; a length is no secret here (digests have a fixed one). Compared
 * as UTF-16 code units, so that no two different strings meet (UTF-8 would turn every lone
 * surrogate into the same U+FFFD).
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf16le');
  const right = Buffer.from(b, 'utf16le');
  return left.length === right.length && timingSafeEqual(left, right);
}
