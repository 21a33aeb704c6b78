import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { RequiresServerAdmin } from '../../auth/api/requires-server-admin.decorator';
import { InvalidParamError } from '../../common/errors/matrix-error';
import { ApiMatrixError } from '../../common/http/matrix-error.dto';
import { thirdPartyIdentifier } from '../../threepid/api/dto/three-pid.dto';
import { AccountAdministration } from '../application/account-administration';
import { NoSuchUserError, NotLocalUserError } from '../application/administration.errors';
import { AdminUserResponse, UserByThreePidResponse } from './dto/synapse-admin.dto';

const USER_ID = /^@[^:]+:(.+)$/;

/**
 * The part of Synapse's admin API that concerns 3PIDs, answered as Synapse answers, so that admin
 * tools written for it work here: for server administrators only (`user:create --admin`).
 */
@ApiTags('Synapse admin API')
@Controller('_synapse/admin')
@RequiresServerAdmin()
export class SynapseAdminController {
  constructor(private readonly administration: AccountAdministration) {}

  @Get('v1/threepid/:medium/users/:address')
  @ApiOperation({
    operationId: 'getUserByThreePid',
    summary: 'Finds the user whose account has a third-party identifier.',
    description: 'The address is canonicalised first, as everywhere on this server (`Alice@Example.org` finds `alice@example.org`).',
  })
  @ApiParam({ name: 'medium', enum: ['email', 'msisdn'], example: 'email' })
  @ApiParam({ name: 'address', example: 'alice@example.org' })
  @ApiOkResponse({ type: UserByThreePidResponse, description: 'The user who has it.' })
  @ApiMatrixError(400, 'An unknown medium, or an address that is not valid for it (`M_INVALID_PARAM`).', ['M_INVALID_PARAM', 'Unknown medium "fax": email or msisdn'])
  @ApiMatrixError(404, 'No account has the address (`M_NOT_FOUND`).', ['M_NOT_FOUND', 'User not found'])
  async userByThreePid(@Param('medium') medium: string, @Param('address') address: string): Promise<UserByThreePidResponse> {
    const userId = await this.administration.owner(medium, address);
    if (!userId) throw new NoSuchUserError(address);
    return { user_id: userId };
  }

  @Get('v2/users/:userId')
  @ApiOperation({
    operationId: 'getUserAccount',
    summary: 'Gets a user account, with its third-party identifiers.',
    description: "Synapse's Query User Account: the `threepids` part, and what this server knows of the account.",
  })
  @ApiParam({ name: 'userId', description: 'A fully-qualified user ID of this server.', example: '@alice:example.org' })
  @ApiOkResponse({ type: AdminUserResponse, description: 'The account.' })
  @ApiMatrixError(
    400,
    'Not a user ID, or one of another server (`M_INVALID_PARAM`).',
    ['M_INVALID_PARAM', 'Invalid user ID'],
    ['M_INVALID_PARAM', 'Can only look up local users'],
  )
  @ApiMatrixError(404, 'No such account (`M_NOT_FOUND`).', ['M_NOT_FOUND', 'User not found'])
  async user(@Param('userId') userId: string): Promise<AdminUserResponse> {
    const server = USER_ID.exec(userId)?.[1];
    if (server === undefined) throw new InvalidParamError('Invalid user ID');
    if (server !== this.administration.serverName) throw new NotLocalUserError();
    const account = await this.administration.account(userId);
    return {
      name: account.userId,
      admin: account.admin,
      threepids: account.threePids.map(thirdPartyIdentifier),
      creation_ts: Math.floor(account.createdAt / 1000),
      displayname: null,
      avatar_url: null,
      is_guest: false,
      deactivated: false,
      erased: false,
      locked: false,
      shadow_banned: false,
      appservice_id: null,
      user_type: null,
      external_ids: [],
    };
  }
}
