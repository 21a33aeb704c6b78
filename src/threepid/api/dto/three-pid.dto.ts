import { ApiProperty } from '@nestjs/swagger';
import { MEDIA } from '../../domain/medium';
import type { ThreePid } from '../../domain/three-pid';

export class ThirdPartyIdentifier {
  @ApiProperty({ description: 'The medium of the third-party identifier.', enum: MEDIA, example: 'email' })
  medium!: string;

  @ApiProperty({ description: 'The third-party identifier address.', example: 'alice@example.org' })
  address!: string;

  @ApiProperty({
    description: 'The timestamp, in milliseconds, when the identifier was validated by the identity server.',
    type: 'integer',
    format: 'int64',
    example: 1535176800000,
  })
  validated_at!: number;

  @ApiProperty({
    description: 'The timestamp, in milliseconds, when the homeserver associated the third-party identifier with the user.',
    type: 'integer',
    format: 'int64',
    example: 1535336848756,
  })
  added_at!: number;
}

/** A 3PID as the API shows it: /account/3pid, Synapse's admin API and the admin commands' JSON. */
export function thirdPartyIdentifier(threePid: ThreePid): ThirdPartyIdentifier {
  return { medium: threePid.medium, address: threePid.address, validated_at: threePid.validatedAt, added_at: threePid.addedAt };
}

export class ThreePidListResponse {
  @ApiProperty({ type: [ThirdPartyIdentifier] })
  threepids!: ThirdPartyIdentifier[];
}
