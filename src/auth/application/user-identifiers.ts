import { Inject, Injectable } from '@nestjs/common';
import { MissingParamError } from '../../common/errors/matrix-error';
import { AUTH_MODULE_OPTIONS, type AuthModuleOptions } from '../auth.options';
import { UnsupportedLoginError } from '../domain/auth.errors';
import { UserId } from '../domain/user-id';

/** A login `identifier` object: its `type` and that type's own fields. */
export interface UserIdentifier {
  type: string;
  [field: string]: unknown;
}

/**
 * Finds the user ID an identifier of one type names, or undefined when it names nobody; throws a
 * MatrixError for an identifier that is malformed.
 */
export type IdentifierResolver = (identifier: UserIdentifier) => Promise<string | undefined>;

export const USER_IDENTIFIER = 'm.id.user';
export const THIRD_PARTY_IDENTIFIER = 'm.id.thirdparty';

/**
 * The identifier types login and re-authentication accept. `m.id.user` is built in; other modules
 * register theirs (the 3PID module adds `m.id.thirdparty` and `m.id.phone`), so that accounts need
 * not know about 3PIDs.
 */
@Injectable()
export class UserIdentifiers {
  private readonly resolvers = new Map<string, IdentifierResolver>();

  constructor(@Inject(AUTH_MODULE_OPTIONS) options: AuthModuleOptions) {
    this.register(USER_IDENTIFIER, async (identifier) => {
      if (typeof identifier.user !== 'string') throw new MissingParamError('Missing parameter: identifier.user');
      return UserId.fromLoginInput(identifier.user, options.serverName)?.toString();
    });
  }

  register(type: string, resolver: IdentifierResolver): void {
    this.resolvers.set(type, resolver);
  }

  async resolve(identifier: UserIdentifier): Promise<string | undefined> {
    const resolver = this.resolvers.get(identifier.type);
    if (!resolver) throw new UnsupportedLoginError(`Unknown login identifier type ${identifier.type}`);
    return resolver(identifier);
  }
}
