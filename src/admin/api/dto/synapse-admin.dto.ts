import { ApiProperty } from '@nestjs/swagger';
import { ThirdPartyIdentifier } from '../../../threepid/api/dto/three-pid.dto';

export class UserByThreePidResponse {
  @ApiProperty({ description: 'The user whose account has the third-party identifier.', example: '@alice:example.org' })
  user_id!: string;
}

/**
 * Synapse's "Query User Account" answer, with what this server knows: its accounts have no display
 * name or avatar, are never guests, deactivated, erased, locked or shadow-banned.
 */
export class AdminUserResponse {
  @ApiProperty({ description: 'The fully-qualified user ID.', example: '@alice:example.org' })
  name!: string;

  @ApiProperty({ description: 'Whether the user is a server administrator.', example: false })
  admin!: boolean;

  @ApiProperty({ description: "The account's third-party identifiers.", type: [ThirdPartyIdentifier] })
  threepids!: ThirdPartyIdentifier[];

  @ApiProperty({ description: 'When the account was created, in seconds since the epoch (as Synapse counts it).', type: 'integer', format: 'int64', example: 1735689600 })
  creation_ts!: number;

  @ApiProperty({ description: 'Always null here.', type: 'string', nullable: true, example: null })
  displayname!: null;

  @ApiProperty({ description: 'Always null here.', type: 'string', nullable: true, example: null })
  avatar_url!: null;

  @ApiProperty({ description: 'Always false here.', example: false })
  is_guest!: boolean;

  @ApiProperty({ description: 'Always false here.', example: false })
  deactivated!: boolean;

  @ApiProperty({ description: 'Always false here.', example: false })
  erased!: boolean;

  @ApiProperty({ description: 'Always false here.', example: false })
  locked!: boolean;

  @ApiProperty({ description: 'Always false here.', example: false })
  shadow_banned!: boolean;

  @ApiProperty({ description: 'Always null here.', type: 'string', nullable: true, example: null })
  appservice_id!: null;

  @ApiProperty({ description: 'Always null here.', type: 'string', nullable: true, example: null })
  user_type!: null;

  @ApiProperty({ description: 'Always empty here.', type: 'array', items: { type: 'object' }, example: [] })
  external_ids!: never[];
}
