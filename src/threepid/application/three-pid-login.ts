import { Inject, Injectable, OnModuleInit, Optional } from '@nestjs/common';
import { THIRD_PARTY_IDENTIFIER, UserIdentifier, UserIdentifiers } from '../../auth/application/user-identifiers';
import { MissingParamError } from '../../common/errors/matrix-error';
import { isMedium } from '../domain/medium';
import { ThreePidRepository } from '../domain/ports/three-pid.repository';
import { canonicalAddress, parsePhoneNumber } from '../domain/three-pid-address';

export const PHONE_IDENTIFIER = 'm.id.phone';

/**
 * Login and re-authentication by an address on the account: `m.id.thirdparty` (e-mail
 * canonicalised, as everywhere) and `m.id.phone` (a number as the user typed it). An address that
 * cannot be canonicalised names nobody, so it fails as an unknown user does. A host with accounts
 * of its own (no AuthModule, so no UserIdentifiers) has no login of ours to extend.
 */
@Injectable()
export class ThreePidLogin implements OnModuleInit {
  constructor(
    @Optional() @Inject(UserIdentifiers) private readonly identifiers: UserIdentifiers | undefined,
    @Inject(ThreePidRepository) private readonly threePids: ThreePidRepository,
  ) {}

  onModuleInit(): void {
    if (!this.identifiers) return;
    this.identifiers.register(THIRD_PARTY_IDENTIFIER, async (identifier) =>
      this.ownerOf(requiredField(identifier, 'medium'), requiredField(identifier, 'address')),
    );
    this.identifiers.register(PHONE_IDENTIFIER, async (identifier) => {
      const [country, phone] = [requiredField(identifier, 'country'), requiredField(identifier, 'phone')];
      return this.ownerOf('msisdn', () => parsePhoneNumber(country, phone).msisdn);
    });
  }

  private async ownerOf(medium: string, address: string | (() => string)): Promise<string | undefined> {
    if (!isMedium(medium)) return undefined;
    let canonical: string;
    try {
      canonical = canonicalAddress(medium, typeof address === 'string' ? address : address());
    } catch {
      return undefined;
    }
    return this.threePids.findOwner(medium, canonical);
  }
}

function requiredField(identifier: UserIdentifier, field: string): string {
  const value = identifier[field];
  if (typeof value !== 'string') throw new MissingParamError(`Missing parameter: identifier.${field}`);
  return value;
}
