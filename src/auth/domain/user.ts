/** An account on this homeserver. */
export interface User {
  userId: string;
  /** argon2id, PHC string format. */
  passwordHash: string;
  createdAt: number;
  /** May use the server administration API (Synapse's admin API, in part). */
  admin: boolean;
}

/** Who made an authenticated request. */
export interface Requester {
  userId: string;
  deviceId: string;
}
