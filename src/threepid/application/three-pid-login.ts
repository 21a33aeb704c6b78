import { Inject, Injectable, OnModuleInit, Optional } from '@nestjs/common';
import { THIRD_PARTY_IDENTIFIER, UserIdentifier, UserIdentifiers } from '../../auth/application/user-identifiers';
import { canonicalJson } from '../../common/canonical-json';
import { MissingParamError } from '../../common/errors/matrix-error';
import { isMedium, Medium } from '../domain/medium';
import { ThreePidRepository } from '../domain/ports/three-pid.repository';
import { canonicalAddress, parsePhoneNumber } from '../domain/three-pid-address';

export const PHONE_IDENTIFIER = 'm.id.phone';

/**
 * Login and re-authentication by an address on the account: `m.id.thirdparty` (e-mail
 * canonicalised, as everywhere) and `m.id.phone` (a number as the user typed it). An address that
 * cannot be canonicalised names nobody, so it fails as an unknown user does. Either is, for the
 * wrong-password limit, the canonical address typed (`email:alice@example.org`,
 * `msisdn:447700900123`, the same for both phone forms), whether or not an account has it. A host
 * with accounts of its own (no AuthModule, so no UserIdentifiers) has no login of ours to extend.
 */
@Injectable()
export class ThreePidLogin implements OnModuleInit {
  constructor(
    @Optional() @Inject(UserIdentifiers) private readonly identifiers: UserIdentifiers | undefined,
    @Inject(ThreePidRepository) private readonly threePids: ThreePidRepository,
  ) {}

  onModuleInit(): void {
    if (!this.identifiers) return;
    const thirdParty = (identifier: UserIdentifier) => {
      const [medium, address] = [requiredField(identifier, 'medium'), requiredField(identifier, 'address')];
      return canonicalThreePid(medium, () => address);
    };
    const phone = (identifier: UserIdentifier) => {
      const [country, number] = [requiredField(identifier, 'country'), requiredField(identifier, 'phone')];
      return canonicalThreePid('msisdn', () => parsePhoneNumber(country, number).msisdn);
    };
    this.identifiers.register(
      THIRD_PARTY_IDENTIFIER,
      async (identifier) => this.ownerOf(thirdParty(identifier)),
      (identifier) => formOf(identifier, thirdParty(identifier)),
    );
    this.identifiers.register(
      PHONE_IDENTIFIER,
      async (identifier) => this.ownerOf(phone(identifier)),
      (identifier) => formOf(identifier, phone(identifier)),
    );
  }

  private async ownerOf(threePid: { medium: Medium; address: string } | undefined): Promise<string | undefined> {
    return threePid && this.threePids.findOwner(threePid.medium, threePid.address);
  }
}

/** The canonical 3PID, or undefined for an unknown medium or an address that has no canonical form. */
function canonicalThreePid(medium: string, address: () => string): { medium: Medium; address: string } | undefined {
  if (!isMedium(medium)) return undefined;
  try {
    return { medium, address: canonicalAddress(medium, address()) };
  } catch {
    return undefined;
  }
}

/** `email:alice@example.org`; an identifier that is no address stands for itself, as given. */
function formOf(identifier: UserIdentifier, threePid: { medium: Medium; address: string } | undefined): string {
  return threePid ? `${threePid.medium}:${threePid.address}` : `${identifier.type}:${canonicalJson(identifier)}`;
}

function requiredField(identifier: UserIdentifier, field: string): string {
  const value = identifier[field];
  if (typeof value !== 'string') throw new MissingParamError(`Missing parameter: identifier.${field}`);
  return value;
}
