import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { Medium } from '../domain/medium';
import { UnbindResult } from '../domain/ports/identity-server.gateway';
import { ThreePidEventPublisher } from '../domain/ports/three-pid-event-publisher';
import { ThreePidPolicy } from '../domain/ports/three-pid-policy';
import { ThreePidRepository } from '../domain/ports/three-pid.repository';
import { ValidationSessionConflictError, ValidationSessionRepository } from '../domain/ports/validation-session.repository';
import { ThreePid } from '../domain/three-pid';
import { canonicalAddress } from '../domain/three-pid-address';
import { ThreePidAddedEvent, ThreePidRemovedEvent } from '../domain/three-pid.events';
import {
  MediumNotSupportedError,
  ThreePidAlreadyOnAccountError,
  ThreePidInUseError,
  ThreePidNotOnAccountError,
  ThreePidRemovalDeniedError,
} from '../domain/three-pid.errors';
import { ThreePidAuthFailedError, ThreePidDeniedError } from '../domain/validation.errors';
import { IdentityServerRefusedError } from '../domain/identity-server.errors';
import { THREE_PID_MODULE_OPTIONS, type ThreePidModuleOptions } from '../three-pid.options';
import { IdentityServerService } from './identity-server.service';
import { NO_THREE_PID_METRICS, ThreePidMetrics } from './ports/three-pid-metrics';

/** What proves the caller controls an address: a validation session of this homeserver. */
export interface ThreePidCredentials {
  sid: string;
  clientSecret: string;
}

/** The deprecated POST's credentials: a session of this homeserver, or of the identity server named. */
export interface LegacyThreePidCredentials extends ThreePidCredentials {
  idServer?: string;
  idAccessToken?: string;
}

/** A concurrent submitToken may save the session between our read and our write; then we read again. */
const MAX_CONFLICT_RETRIES = 10;

/**
 * The 3PIDs on users' accounts: listing, adding with a validated session, removing, as the
 * ThreePidPolicy allows. Each change is published as an event once it is stored.
 */
@Injectable()
export class ThreePidService {
  constructor(
    @Inject(ThreePidRepository) private readonly threePids: ThreePidRepository,
    @Inject(ValidationSessionRepository) private readonly sessions: ValidationSessionRepository,
    private readonly identityServers: IdentityServerService,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(THREE_PID_MODULE_OPTIONS) private readonly options: ThreePidModuleOptions,
    @Inject(ThreePidPolicy) private readonly policy: ThreePidPolicy,
    @Inject(ThreePidEventPublisher) private readonly events: ThreePidEventPublisher,
    @Inject(ThreePidMetrics) private readonly metrics: ThreePidMetrics = NO_THREE_PID_METRICS,
  ) {}

  list(userId: string): Promise<ThreePid[]> {
    return this.threePids.findByUser(userId);
  }

  /**
   * Adds the address of a validated session to the user's account, using the session up. Unlike
   * Synapse, an address on another account stays there (M_THREEPID_IN_USE), and a session adds
   * an address once, within its lifetime (M_THREEPID_AUTH_FAILED otherwise).
   */
  async add(userId: string, credentials: ThreePidCredentials): Promise<void> {
    for (let tries = 1; ; tries++) {
      const session = await this.sessions.findBySid(credentials.sid);
      if (!session) throw new ThreePidAuthFailedError('unknown');
      const now = this.clock.now();
      session.consume(credentials.clientSecret, now, this.options.lifetimes);
      await this.assertAddable(userId, session.medium, session.address);
      try {
        await this.threePids.addConsumingSession(new ThreePid(userId, session.medium, session.address, session.validatedAt!, now), session);
        this.metrics.threePidAdded(session.medium);
        this.events.publish(new ThreePidAddedEvent(userId, session.medium, session.address, now));
        return;
      } catch (error) {
        if (error instanceof ValidationSessionConflictError && tries < MAX_CONFLICT_RETRIES) continue;
        throw await this.explainInUse(error, userId, session.medium, session.address);
      }
    }
  }

  /**
   * The deprecated POST /account/3pid: adds as `add` does, without UIA (the endpoint predates it),
   * and refuses credentials with 403 as its spec says. A `sid` this homeserver does not know, given
   * with `id_server` and `id_access_token`, is a session of that identity server: what it confirms
   * it validated is added, under the same rules.
   */
  async addDeprecated(userId: string, credentials: LegacyThreePidCredentials): Promise<void> {
    try {
      const { idServer, idAccessToken } = credentials;
      if (idServer !== undefined && idAccessToken !== undefined && !(await this.sessions.findBySid(credentials.sid))) {
        await this.addConfirmedByIdentityServer(userId, { ...credentials, idServer, idAccessToken });
      } else {
        await this.add(userId, credentials);
      }
    } catch (error) {
      if (error instanceof ThreePidAuthFailedError) throw new ThreePidAuthFailedError(error.reason, 403);
      throw error;
    }
  }

  private async addConfirmedByIdentityServer(userId: string, credentials: Required<LegacyThreePidCredentials>): Promise<void> {
    let confirmed;
    try {
      confirmed = await this.identityServers.confirmedThreePid(credentials.idServer, credentials);
    } catch (error) {
      // The server's own refusal (not validated, unknown session, bad token): the credentials prove nothing.
      if (error instanceof IdentityServerRefusedError) throw new ThreePidAuthFailedError('not-confirmed');
      throw error;
    }
    await this.assertAddable(userId, confirmed.medium, confirmed.address);
    const now = this.clock.now();
    try {
      await this.threePids.add(new ThreePid(userId, confirmed.medium, confirmed.address, confirmed.validatedAt, now));
    } catch (error) {
      throw await this.explainInUse(error, userId, confirmed.medium, confirmed.address);
    }
    this.metrics.threePidAdded(confirmed.medium);
    this.events.publish(new ThreePidAddedEvent(userId, confirmed.medium, confirmed.address, now));
  }

  /** The settings, or the policy's answer, may have changed since the address was validated. */
  private async assertAddable(userId: string, medium: Medium, address: string): Promise<void> {
    if (!this.options.media.includes(medium)) throw new MediumNotSupportedError(medium);
    if (!(await this.policy.mayAdd({ medium, address, userId }))) throw new ThreePidDeniedError(medium);
  }

  /** An address in use that is the caller's own gets a message saying so. */
  private async explainInUse(error: unknown, userId: string, medium: Medium, address: string): Promise<unknown> {
    if (error instanceof ThreePidInUseError && (await this.threePids.findOwner(medium, address)) === userId) {
      return new ThreePidAlreadyOnAccountError();
    }
    return error;
  }

  /**
   * Removes an address from the user's own account, after unbinding it from identity servers: at
   * `idServer`, or else wherever it was bound through this homeserver (if that fails, the address
   * stays and the error is the answer). An address not on the account (another user's, say) is
   * left alone, identity servers included, with the answer for nothing to unbind: `no-support`.
   * An address the ThreePidPolicy keeps is left alone too, with 403 M_FORBIDDEN.
   */
  async remove(userId: string, medium: Medium, rawAddress: string, idServer?: string): Promise<UnbindResult> {
    const address = canonicalAddress(medium, rawAddress);
    if ((await this.threePids.findOwner(medium, address)) !== userId) return 'no-support';
    if (!(await this.policy.mayRemove({ userId, medium, address }))) throw new ThreePidRemovalDeniedError();
    return this.unbindAndRemove(userId, medium, address, userId, idServer);
  }

  /** Whose account the address is on, if anyone's. */
  async findOwner(medium: Medium, rawAddress: string): Promise<string | undefined> {
    return this.threePids.findOwner(medium, canonicalAddress(medium, rawAddress));
  }

  /**
   * An operator adds an address to a user's account (`actor`, say `cli:root`, vouches for it): no
   * validation session, and neither THREEPID_MEDIA nor the ThreePidPolicy applies, as with
   * Synapse's admin API. The address is canonicalised all the same, and refused when it is on an
   * account already (M_THREEPID_IN_USE).
   */
  async addForUser(userId: string, medium: Medium, rawAddress: string, actor: string): Promise<ThreePid> {
    const address = canonicalAddress(medium, rawAddress);
    const now = this.clock.now();
    const threePid = new ThreePid(userId, medium, address, now, now);
    try {
      await this.threePids.add(threePid);
    } catch (error) {
      throw await this.explainInUse(error, userId, medium, address);
    }
    this.metrics.threePidAdded(medium);
    this.events.publish(new ThreePidAddedEvent(userId, medium, address, now, actor));
    return threePid;
  }

  /**
   * An operator removes an address from a user's account, unbinding it first as /3pid/delete does
   * (and, if that fails, leaving it there); the ThreePidPolicy does not apply. 404 M_NOT_FOUND when
   * the address is not on that account.
   */
  async removeForUser(userId: string, medium: Medium, rawAddress: string, actor: string): Promise<UnbindResult> {
    const address = canonicalAddress(medium, rawAddress);
    if ((await this.threePids.findOwner(medium, address)) !== userId) throw new ThreePidNotOnAccountError();
    return this.unbindAndRemove(userId, medium, address, actor);
  }

  private async unbindAndRemove(userId: string, medium: Medium, address: string, actor: string, idServer?: string): Promise<UnbindResult> {
    const unbound = await this.identityServers.unbindCanonical(userId, medium, address, idServer, actor);
    if (await this.threePids.remove(userId, medium, address)) {
      this.metrics.threePidRemoved(medium);
      this.events.publish(new ThreePidRemovedEvent(userId, medium, address, this.clock.now(), actor));
    }
    return unbound;
  }

  /**
   * This feature's entries for GET /capabilities. Honest, unlike Synapse's: with no medium to
   * deliver validation messages for, no 3PID can be added, so changes are not offered.
   */
  capabilities(): Record<string, { enabled: boolean }> {
    return { 'm.3pid_changes': { enabled: this.options.changesEnabled && this.options.media.length > 0 } };
  }
}
