import { InvalidUsernameError } from './auth.errors';

/** Localparts this server creates: the grammar the Matrix appendix sets for new user IDs. */
const LOCALPART = /^[a-z0-9._=\-/+]+$/;
const MAX_USER_ID_LENGTH = 255;

/** A Matrix user ID, `@localpart:server_name`. */
export class UserId {
  private constructor(
    readonly localpart: string,
    readonly serverName: string,
  ) {}

  /** A new user's ID; throws InvalidUsernameError when the localpart breaks the grammar. */
  static create(localpart: string, serverName: string): UserId {
    if (!LOCALPART.test(localpart)) {
      throw new InvalidUsernameError('User ID may only contain the characters a-z, 0-9, ".", "_", "=", "-", "/" and "+"');
    }
    const userId = new UserId(localpart, serverName);
    if (userId.toString().length > MAX_USER_ID_LENGTH) {
      throw new InvalidUsernameError(`User ID may not be longer than ${MAX_USER_ID_LENGTH} characters`);
    }
    return userId;
  }

  /**
   * What a client typed to name an account on this server: a full user ID or a bare localpart,
   * in any case (localparts are lower-case here). Undefined when it cannot name a local user, a
   * user ID longer than any account can have included.
   */
  static fromLoginInput(input: string, serverName: string): UserId | undefined {
    let localpart = input;
    if (input.startsWith('@')) {
      const separator = input.indexOf(':');
      if (separator < 0 || input.slice(separator + 1) !== serverName) return undefined;
      localpart = input.slice(1, separator);
    }
    localpart = localpart.toLowerCase();
    const userId = new UserId(localpart, serverName);
    return LOCALPART.test(localpart) && userId.toString().length <= MAX_USER_ID_LENGTH ? userId : undefined;
  }

  toString(): string {
    return `@${this.localpart}:${this.serverName}`;
  }
}
