import { randomBytes, randomInt } from 'node:crypto';
import { sha256Hex } from '../../common/sha256';

const TOKEN_PREFIX = 'm3p_';
const DEVICE_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const DEVICE_ID_LENGTH = 10;

/** A new opaque access token: 256 random bits. The client gets it once; the server keeps only its hash. */
export function generateAccessToken(): string {
  return TOKEN_PREFIX + randomBytes(32).toString('base64url');
}

/** SHA-256 suffices (no slow hash): tokens are random, so there is nothing to guess from the digest. */
export function hashAccessToken(token: string): string {
  return sha256Hex(token);
}

export function generateDeviceId(): string {
  let id = '';
  for (let i = 0; i < DEVICE_ID_LENGTH; i++) id += DEVICE_ID_ALPHABET[randomInt(DEVICE_ID_ALPHABET.length)];
  return id;
}
