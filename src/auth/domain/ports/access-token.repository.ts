import { Requester } from '../user';

export interface IssuedAccessToken {
  tokenHash: string;
  userId: string;
  deviceId: string;
  createdAt: number;
}

export interface AccessTokenRepository {
  /** Stores the token, replacing any earlier tokens of the same device (spec: login with a device_id). */
  saveForDevice(token: IssuedAccessToken): Promise<void>;
  findRequester(tokenHash: string): Promise<Requester | undefined>;
}
export const AccessTokenRepository = Symbol('AccessTokenRepository');
