import { Requester } from '../user';

export interface IssuedAccessToken {
  tokenHash: string;
  userId: string;
  deviceId: string;
  createdAt: number;
  /** When it stops working; undefined: never (until it is revoked). */
  expiresAt?: number;
}

/** What a token stands for, as stored: whose it is, and until when it works. */
export interface StoredAccessToken extends Requester {
  expiresAt?: number;
}

export interface AccessTokenRepository {
  /** Stores the token, replacing any earlier tokens of the same device (spec: login with a device_id). */
  saveForDevice(token: IssuedAccessToken): Promise<void>;
  /** The token with this hash, expired or not; undefined when it was never issued or was revoked. */
  find(tokenHash: string): Promise<StoredAccessToken | undefined>;
  /** Revokes the device's tokens (POST /logout). */
  revokeDevice(userId: string, deviceId: string): Promise<void>;
  /** Revokes every token of the user (POST /logout/all). */
  revokeUser(userId: string): Promise<void>;
}
export const AccessTokenRepository = Symbol('AccessTokenRepository');
