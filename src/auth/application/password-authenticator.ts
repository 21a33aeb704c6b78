import { randomBytes } from 'node:crypto';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { MissingParamError } from '../../common/errors/matrix-error';
import { LoginFailedError } from '../domain/auth.errors';
import { PasswordHasher } from '../domain/ports/password-hasher';
import { UserRepository } from '../domain/ports/user.repository';
import { THIRD_PARTY_IDENTIFIER, USER_IDENTIFIER, UserIdentifier, UserIdentifiers } from './user-identifiers';

/** The fields of an `m.login.password` login or UIA stage, the deprecated top-level ones included. */
export interface PasswordCredentials {
  identifier?: UserIdentifier;
  /** Deprecated: the user ID or localpart, for clients older than `identifier`. */
  user?: string;
  /** Deprecated: a 3PID, for clients older than `identifier`. */
  medium?: string;
  address?: string;
  password?: string;
}

/** Checks a user's password, for login and for User-Interactive Authentication alike. */
@Injectable()
export class PasswordAuthenticator implements OnModuleInit {
  /** Verified against when the user does not exist, so that both failures take as long. */
  private decoyHash = '';

  constructor(
    @Inject(UserRepository) private readonly users: UserRepository,
    @Inject(PasswordHasher) private readonly passwords: PasswordHasher,
    private readonly identifiers: UserIdentifiers,
  ) {}

  async onModuleInit(): Promise<void> {
    this.decoyHash = await this.passwords.hash(randomBytes(32).toString('hex'));
  }

  /**
   * The ID of the user the credentials name, if the password is theirs. An unknown user and a wrong
   * password both give LoginFailedError (403 M_FORBIDDEN), so that answers do not reveal accounts.
   */
  async authenticate(credentials: PasswordCredentials): Promise<string> {
    const identifier = identifierOf(credentials);
    if (credentials.password === undefined) throw new MissingParamError('Missing parameter: password');
    const userId = await this.identifiers.resolve(identifier);
    const user = userId ? await this.users.findById(userId) : undefined;
    const passwordMatches = await this.passwords.verify(user?.passwordHash ?? this.decoyHash, credentials.password);
    if (!user || !passwordMatches) throw new LoginFailedError();
    return user.userId;
  }
}

/** The `identifier`, or what the deprecated top-level `user` or `medium`/`address` fields stand for. */
function identifierOf(credentials: PasswordCredentials): UserIdentifier {
  if (credentials.identifier) return credentials.identifier;
  if (credentials.user !== undefined) return { type: USER_IDENTIFIER, user: credentials.user };
  if (credentials.medium !== undefined || credentials.address !== undefined) {
    return { type: THIRD_PARTY_IDENTIFIER, medium: credentials.medium, address: credentials.address };
  }
  throw new MissingParamError('Missing parameter: identifier');
}
