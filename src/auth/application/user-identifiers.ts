import { Inject, Injectable } from '@nestjs/common';
import { canonicalJson } from '../../common/canonical-json';
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

/**
 * What an identifier of one type stands for, however it is spelt (`email:alice@example.org` for
 * every spelling of that address), whether or not it names anyone: wrong passwords given with it
 * are counted under this. Called after the resolver accepted the identifier.
 */
export type IdentifierCanonicaliser = (identifier: UserIdentifier) => string;

export const USER_IDENTIFIER = 'm.id.user';
export const THIRD_PARTY_IDENTIFIER = 'm.id.thirdparty';

/**
 * The identifier types login and re-authentication accept. `m.id.user` is built in; other modules
 * register theirs (the 3PID module adds `m.id.thirdparty` and `m.id.phone`), so that accounts need
 * not know about 3PIDs.
 */
@Injectable()
export class UserIdentifiers {
  private readonly types = new Map<string, { resolve: IdentifierResolver; canonicalForm: IdentifierCanonicaliser }>();

  constructor(@Inject(AUTH_MODULE_OPTIONS) private readonly options: AuthModuleOptions) {
    this.register(
      USER_IDENTIFIER,
      async (identifier) => this.userIdOf(identifier)?.toString(),
      (identifier) => this.userIdOf(identifier)?.toString() ?? literalForm(identifier),
    );
  }

  /**
   * Adds an identifier type. Without `canonicalForm`, the identifier's fields as given are its
   * canonical form (so that two spellings of one identifier are counted apart).
   */
  register(type: string, resolver: IdentifierResolver, canonicalForm: IdentifierCanonicaliser = literalForm): void {
    this.types.set(type, { resolve: resolver, canonicalForm });
  }

  async resolve(identifier: UserIdentifier): Promise<string | undefined> {
    return this.typeOf(identifier).resolve(identifier);
  }

  /** The canonical form of an identifier the resolver accepted (see IdentifierCanonicaliser). */
  canonicalForm(identifier: UserIdentifier): string {
    return this.typeOf(identifier).canonicalForm(identifier);
  }

  private typeOf(identifier: UserIdentifier) {
    const type = this.types.get(identifier.type);
    if (!type) throw new UnsupportedLoginError(`Unknown login identifier type ${identifier.type}`);
    return type;
  }

  private userIdOf(identifier: UserIdentifier): UserId | undefined {
    if (typeof identifier.user !== 'string') throw new MissingParamError('Missing parameter: identifier.user');
    return UserId.fromLoginInput(identifier.user, this.options.serverName);
  }
}

/** An identifier as given: its type and fields, in canonical JSON. */
function literalForm(identifier: UserIdentifier): string {
  return `${identifier.type}:${canonicalJson(identifier)}`;
}
