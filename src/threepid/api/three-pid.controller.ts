import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated, Requester } from '../../auth/api/authenticated.decorator';
import type { Requester as RequesterModel } from '../../auth/domain/user';
import { CLIENT_V3 } from '../../common/http/matrix-routes';
import { ThreePidService } from '../application/three-pid.service';
import { ThreePidListResponse } from './dto/three-pid.dto';

@ApiTags('Account management')
@Controller(CLIENT_V3)
export class ThreePidController {
  constructor(private readonly threePids: ThreePidService) {}

  @Get('account/3pid')
  @Authenticated()
  @ApiOperation({
    operationId: 'getAccount3PIDs',
    summary: "Gets a list of a user's third-party identifiers.",
    description:
      'Gets a list of the third-party identifiers that the homeserver has associated with the user\'s account. ' +
      'This is *not* the same as the list of third-party identifiers bound to the user\'s Matrix ID in identity servers.',
  })
  @ApiOkResponse({ type: ThreePidListResponse, description: 'The lookup was successful.' })
  async list(@Requester() requester: RequesterModel): Promise<ThreePidListResponse> {
    const threePids = await this.threePids.list(requester.userId);
    return {
      threepids: threePids.map((t) => ({
        medium: t.medium,
        address: t.address,
        validated_at: t.validatedAt,
        added_at: t.addedAt,
      })),
    };
  }
}
