import { UserIdTakenError } from '../../src/auth/domain/auth.errors';
import { AccessTokenRepository, IssuedAccessToken } from '../../src/auth/domain/ports/access-token.repository';
import { PasswordHasher } from '../../src/auth/domain/ports/password-hasher';
import { UserRepository } from '../../src/auth/domain/ports/user.repository';
import { Requester, User } from '../../src/auth/domain/user';
import { Clock } from '../../src/common/clock';

export class InMemoryUserRepository implements UserRepository {
  readonly users = new Map<string, User>();

  async findById(userId: string): Promise<User | undefined> {
    return this.users.get(userId);
  }

  async create(user: User): Promise<void> {
    if (this.users.has(user.userId)) throw new UserIdTakenError(user.userId);
    this.users.set(user.userId, { ...user });
  }
}

export class InMemoryAccessTokenRepository implements AccessTokenRepository {
  readonly tokens = new Map<string, IssuedAccessToken>();

  async saveForDevice(token: IssuedAccessToken): Promise<void> {
    for (const [hash, existing] of this.tokens) {
      if (existing.userId === token.userId && existing.deviceId === token.deviceId) this.tokens.delete(hash);
    }
    this.tokens.set(token.tokenHash, { ...token });
  }

  async findRequester(tokenHash: string): Promise<Requester | undefined> {
    const token = this.tokens.get(tokenHash);
    return token && { userId: token.userId, deviceId: token.deviceId };
  }
}

/** Reversible on purpose: tests can see which password a hash was made from, and count verifications. */
export class FakePasswordHasher implements PasswordHasher {
  verifications: string[] = [];

  async hash(password: string): Promise<string> {
    return `fake:${password}`;
  }

  async verify(hash: string, password: string): Promise<boolean> {
    this.verifications.push(hash);
    return hash === `fake:${password}`;
  }
}

export class FixedClock implements Clock {
  constructor(private time = 1_700_000_000_000) {}

  now(): number {
    return this.time;
  }

  advance(ms: number): void {
    this.time += ms;
  }
}
