import type { INestApplicationContext } from '@nestjs/common';
import { AccountAdministration } from '../admin/application/account-administration';
import { addressHash } from '../audit/domain/audit-record';
import { AccountService } from '../auth/application/account.service';
import { UserId } from '../auth/domain/user-id';
import { ErrCode, MatrixError } from '../common/errors/matrix-error';
import type { AppConfig } from '../config/app-config';
import { isMedium, type Medium } from '../threepid/domain/medium';
import { canonicalAddress } from '../threepid/domain/three-pid-address';
import type { ThreePid } from '../threepid/domain/three-pid';
import { thirdPartyIdentifier } from '../threepid/api/dto/three-pid.dto';
import { isoTime, table } from './output';

/** What a command printed: JSON for `--json`, text for people. */
export interface CommandOutput {
  json: unknown;
  text: string;
}

/** Arguments the command cannot use: the usage error, exit code 2, before anything is read or written. */
export class UsageError extends Error {}

export interface CommandContext {
  config: AppConfig;
  /** Who runs the command, for the audit trail: `cli:<operator>`. */
  actor: string;
  /** The application, started on first use: commands that need no database never start it. */
  app(): Promise<INestApplicationContext>;
}

export interface Command {
  usage: string;
  summary: string;
  /** How many positional arguments it takes. */
  arity: number;
  options?: Record<string, { type: 'string' | 'boolean' }>;
  /** Checks the arguments as far as it can without the database (UsageError), then runs. */
  run(context: CommandContext, args: string[], options: Record<string, string | boolean | undefined>): Promise<CommandOutput>;
}

export const COMMANDS: Record<string, Command> = {
  'user:create': {
    usage: 'user:create <localpart> --password <password> [--admin]',
    summary: 'Creates a local account (a server administrator with --admin) and prints its user ID.',
    arity: 1,
    options: { password: { type: 'string' }, admin: { type: 'boolean' } },
    async run(context, [localpart], { password, admin }) {
      if (typeof password !== 'string') throw new UsageError('--password is required');
      const app = await context.app();
      const userId = (await app.get(AccountService).createUser(localpart, password, { admin: admin === true })).toString();
      return { json: { user_id: userId, admin: admin === true }, text: userId };
    },
  },
  'threepid:list': {
    usage: 'threepid:list <user>',
    summary: "Lists the 3PIDs on a user's account.",
    arity: 1,
    async run(context, [user]) {
      checkUser(context, user);
      const account = await (await context.app()).get(AccountAdministration).account(user);
      return {
        json: { user_id: account.userId, threepids: account.threePids.map(thirdPartyIdentifier) },
        text:
          account.threePids.length === 0
            ? `${account.userId} has no 3PIDs.`
            : threePidTable(account.threePids),
      };
    },
  },
  'threepid:add': {
    usage: 'threepid:add <user> <medium> <address>',
    summary: 'Adds an address to the account without validation (you vouch for it); refused when it is on an account.',
    arity: 3,
    async run(context, [user, medium, address]) {
      checkUser(context, user);
      checkAddress(medium, address);
      const added = await (await context.app()).get(AccountAdministration).addThreePid(user, medium, address, context.actor);
      return { json: { user_id: added.userId, ...thirdPartyIdentifier(added) }, text: `Added to ${added.userId}:\n${threePidTable([added])}` };
    },
  },
  'threepid:remove': {
    usage: 'threepid:remove <user> <medium> <address>',
    summary: 'Removes an address from the account, unbinding it from identity servers first (as /3pid/delete does).',
    arity: 3,
    async run(context, [user, medium, address]) {
      checkUser(context, user);
      const canonical = checkAddress(medium, address);
      const removed = await (await context.app()).get(AccountAdministration).removeThreePid(user, medium, address, context.actor);
      return {
        json: { user_id: removed.userId, medium, address: canonical, id_server_unbind_result: removed.idServerUnbindResult },
        text: `Removed ${medium} ${canonical} from ${removed.userId} (identity servers: ${removed.idServerUnbindResult}).`,
      };
    },
  },
  'threepid:owner': {
    usage: 'threepid:owner <medium> <address>',
    summary: 'Prints the user whose account has the address.',
    arity: 2,
    async run(context, [medium, address]) {
      const canonical = checkAddress(medium, address);
      const owner = await (await context.app()).get(AccountAdministration).owner(medium, address);
      if (!owner) throw new MatrixError(404, ErrCode.NotFound, `No account has ${medium} ${canonical}`);
      return { json: { user_id: owner }, text: owner };
    },
  },
  'audit:hash': {
    usage: 'audit:hash <medium> <address>',
    summary: 'Prints the hash the audit trail logs for an address (AUDIT_ADDRESSES=hash), to find its lines.',
    arity: 2,
    async run(context, [medium, address]) {
      const canonical = checkAddress(medium, address);
      const { addresses } = context.config.audit;
      if (addresses.mode !== 'hash') throw new UsageError('AUDIT_ADDRESSES is not hash: the audit trail logs addresses as they are');
      const hash = addressHash(addresses.salt, medium as Medium, canonical);
      return { json: { medium, address: canonical, address_hash: hash }, text: hash };
    },
  },
};

function checkUser(context: CommandContext, user: string): void {
  if (!UserId.fromLoginInput(user, context.config.matrix.serverName)) {
    throw new UsageError(`"${user}" is not a user of this server: a user ID @localpart:${context.config.matrix.serverName}, or a localpart`);
  }
}

/** The canonical address; UsageError for an unknown medium or an address that is not valid for it. */
function checkAddress(medium: string, address: string): string {
  if (!isMedium(medium)) throw new UsageError(`Unknown medium "${medium}": email or msisdn`);
  try {
    return canonicalAddress(medium, address);
  } catch (error) {
    if (error instanceof MatrixError) throw new UsageError(`Not a valid ${medium} address: ${error.message}`);
    throw error;
  }
}

function threePidTable(threePids: ThreePid[]): string {
  return table(
    ['MEDIUM', 'ADDRESS', 'VALIDATED AT', 'ADDED AT'],
    threePids.map((t) => [t.medium, t.address, isoTime(t.validatedAt), isoTime(t.addedAt)]),
  );
}
