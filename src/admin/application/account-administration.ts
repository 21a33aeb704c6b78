import { Injectable } from '@nestjs/common';
import { AccountService, type AccountSummary } from '../../auth/application/account.service';
import { InvalidParamError } from '../../common/errors/matrix-error';
import { ThreePidService } from '../../threepid/application/three-pid.service';
import { isMedium, type Medium } from '../../threepid/domain/medium';
import type { ThreePid } from '../../threepid/domain/three-pid';
import type { UnbindResult } from '../../threepid/domain/ports/identity-server.gateway';
import { NoSuchUserError } from './administration.errors';

/** An account as administrators see it: what AccountService knows, and its 3PIDs. */
export interface AdministeredAccount extends AccountSummary {
  threePids: ThreePid[];
}

/**
 * What server administrators do with accounts' 3PIDs, over HTTP (the Synapse-compatible admin API)
 * or from the command line: look up, add without validation, remove. Users are named by full user
 * ID or localpart; an account that does not exist is 404 M_NOT_FOUND, and a medium other than
 * `email` or `msisdn` 400 M_INVALID_PARAM, before anything is looked at or written.
 */
@Injectable()
export class AccountAdministration {
  constructor(
    private readonly accounts: AccountService,
    private readonly threePids: ThreePidService,
  ) {}

  get serverName(): string {
    return this.accounts.serverName;
  }

  async account(user: string): Promise<AdministeredAccount> {
    const account = await this.existing(user);
    return { ...account, threePids: await this.threePids.list(account.userId) };
  }

  /** The user ID whose account has the address, or undefined. */
  async owner(medium: string, address: string): Promise<string | undefined> {
    return this.threePids.findOwner(knownMedium(medium), address);
  }

  async addThreePid(user: string, medium: string, address: string, actor: string): Promise<ThreePid> {
    const checkedMedium = knownMedium(medium);
    const account = await this.existing(user);
    return this.threePids.addForUser(account.userId, checkedMedium, address, actor);
  }

  async removeThreePid(user: string, medium: string, address: string, actor: string): Promise<{ userId: string; idServerUnbindResult: UnbindResult }> {
    const checkedMedium = knownMedium(medium);
    const account = await this.existing(user);
    return { userId: account.userId, idServerUnbindResult: await this.threePids.removeForUser(account.userId, checkedMedium, address, actor) };
  }

  private async existing(user: string): Promise<AccountSummary> {
    const account = await this.accounts.find(user);
    if (!account) throw new NoSuchUserError(user);
    return account;
  }
}

function knownMedium(medium: string): Medium {
  if (!isMedium(medium)) throw new InvalidParamError(`Unknown medium "${medium}": email or msisdn`);
  return medium;
}
