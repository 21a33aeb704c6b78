import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock';
import { IdServer, IdentityServerPolicy } from '../domain/identity-server';
import { IdentityServerRefusedError, IdentityServerUnavailableError, IdServerNotTrustedError } from '../domain/identity-server.errors';
import { isMedium, Medium } from '../domain/medium';
import { IdentityServerGateway, UnbindResult } from '../domain/ports/identity-server.gateway';
import { ThreePidBindingRepository } from '../domain/ports/three-pid-binding.repository';
import { ThreePidEventPublisher } from '../domain/ports/three-pid-event-publisher';
import { canonicalAddress } from '../domain/three-pid-address';
import { ThreePidBoundEvent, ThreePidUnboundEvent } from '../domain/three-pid.events';
import { THREE_PID_MODULE_OPTIONS, type ThreePidModuleOptions } from '../three-pid.options';
import { IdentityServerOperation, IdentityServerOutcome, NO_THREE_PID_METRICS, ThreePidMetrics } from './ports/three-pid-metrics';

/** What a client sends to bind a 3PID it validated at an identity server. */
export interface BindCommand {
  idServer: string;
  sid: string;
  clientSecret: string;
  idAccessToken: string;
}

/** A 3PID an identity server says its session validated, checked and canonical. */
export interface ConfirmedThreePid {
  medium: Medium;
  address: string;
  validatedAt: number;
}

/**
 * Binding users' 3PIDs at identity servers and unbinding them, through the IdentityServerGateway,
 * with the bindings made through this homeserver tracked so that they can be undone. Every
 * `id_server` a client names is checked against the policy before any request is made.
 */
@Injectable()
export class IdentityServerService {
  private readonly logger = new Logger(IdentityServerService.name);
  private readonly policy: IdentityServerPolicy;

  constructor(
    @Inject(IdentityServerGateway) private readonly gateway: IdentityServerGateway,
    @Inject(ThreePidBindingRepository) private readonly bindings: ThreePidBindingRepository,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(THREE_PID_MODULE_OPTIONS) options: ThreePidModuleOptions,
    @Inject(ThreePidEventPublisher) private readonly events: ThreePidEventPublisher,
    @Inject(ThreePidMetrics) private readonly metrics: ThreePidMetrics = NO_THREE_PID_METRICS,
  ) {
    this.policy = new IdentityServerPolicy(options.identityServers?.allowlist ?? []);
  }

  /**
   * POST /account/3pid/bind: the identity server publishes the association its session proves, and
   * this homeserver records it as the server reported it (canonicalised), so that it can unbind it.
   */
  async bind(userId: string, command: BindCommand): Promise<void> {
    const idServer = this.policy.trusted(command.idServer);
    const { medium, address } = await this.measured('bind', async () => {
      const published = await this.gateway.bind(idServer, {
        sid: command.sid,
        clientSecret: command.clientSecret,
        mxid: userId,
        idAccessToken: command.idAccessToken,
      });
      if (published.mxid !== userId) throw new IdentityServerUnavailableError('invalid-answer', idServer, 'bound another user');
      return recognised(idServer, published.medium, published.address);
    });
    const boundAt = this.clock.now();
    await this.bindings.record({ userId, medium, address, idServer: idServer.toString(), boundAt });
    this.events.publish(new ThreePidBoundEvent(userId, medium, address, idServer.toString(), boundAt));
  }

  /** POST /account/3pid/unbind: the address as the client wrote it. */
  async unbind(userId: string, medium: Medium, rawAddress: string, idServer?: string): Promise<UnbindResult> {
    return this.unbindCanonical(userId, medium, canonicalAddress(medium, rawAddress), idServer);
  }

  /**
   * Unbinds the user's address at `idServer`, or else at every server it was bound at through this
   * homeserver: `no-support` without any request when there is none. `success` only when every
   * server unbound it. A binding is forgotten once its server answered (unbound, or unsupported);
   * if any server fails, its error is thrown, after the others' answers are recorded. `actor` is
   * who asked, when not the user.
   */
  async unbindCanonical(userId: string, medium: Medium, address: string, rawIdServer?: string, actor = userId): Promise<UnbindResult> {
    const servers = rawIdServer !== undefined ? [this.policy.trusted(rawIdServer)] : await this.boundServers(userId, medium, address);
    if (servers.length === 0) return 'no-support';
    const outcomes = await Promise.allSettled(
      servers.map(async (idServer) => {
        const result = await this.measured(
          'unbind',
          () => this.gateway.unbind(idServer, { mxid: userId, medium, address }),
          (unbound) => (unbound === 'success' ? 'success' : 'no_support'),
        );
        await this.bindings.remove(userId, medium, address, idServer.toString());
        this.events.publish(new ThreePidUnboundEvent(userId, medium, address, idServer.toString(), result, this.clock.now(), actor));
        return result;
      }),
    );
    const failure = outcomes.find((outcome) => outcome.status === 'rejected');
    if (failure) throw failure.reason;
    return outcomes.every((outcome) => outcome.status === 'fulfilled' && outcome.value === 'success') ? 'success' : 'no-support';
  }

  /** What the identity server's session validated (the deprecated POST /account/3pid's proof). */
  async confirmedThreePid(rawIdServer: string, query: { sid: string; clientSecret: string; idAccessToken: string }): Promise<ConfirmedThreePid> {
    const idServer = this.policy.trusted(rawIdServer);
    return this.measured('get_validated_3pid', async () => {
      const validated = await this.gateway.getValidated3pid(idServer, {
        sid: query.sid,
        clientSecret: query.clientSecret,
        idAccessToken: query.idAccessToken,
      });
      const { medium, address } = recognised(idServer, validated.medium, validated.address);
      if (typeof validated.validatedAt !== 'number' || !Number.isSafeInteger(validated.validatedAt)) {
        throw new IdentityServerUnavailableError('invalid-answer', idServer, 'no validated_at');
      }
      return { medium, address, validatedAt: validated.validatedAt };
    });
  }

  /**
   * A call to an identity server, counted with how it ended and how long it took. The checks of
   * its answer are part of the call: an answer this homeserver cannot use is `invalid_answer`.
   */
  private async measured<T>(
    operation: IdentityServerOperation,
    call: () => Promise<T>,
    outcomeOf: (result: T) => IdentityServerOutcome = () => 'success',
  ): Promise<T> {
    const started = performance.now();
    try {
      const result = await call();
      this.metrics.identityServerCall(operation, outcomeOf(result), (performance.now() - started) / 1000);
      return result;
    } catch (error) {
      this.metrics.identityServerCall(operation, failureOf(error), (performance.now() - started) / 1000);
      throw error;
    }
  }

  /** Servers taken off the allow-list since are no longer contacted; their bindings stay recorded, should they return. */
  private async boundServers(userId: string, medium: Medium, address: string): Promise<IdServer[]> {
    const servers: IdServer[] = [];
    for (const recorded of await this.bindings.findIdServers(userId, medium, address)) {
      try {
        servers.push(this.policy.trusted(recorded));
      } catch {
        this.logger.warn({ idServer: recorded }, 'Not unbinding at an identity server this homeserver no longer trusts');
      }
    }
    return servers;
  }
}

/** How a failed call to an identity server ended, for the metrics. */
function failureOf(error: unknown): IdentityServerOutcome {
  if (error instanceof IdentityServerRefusedError) return 'refused';
  if (error instanceof IdServerNotTrustedError) return 'not_trusted';
  if (error instanceof IdentityServerUnavailableError) return error.failure === 'invalid-answer' ? 'invalid_answer' : error.failure;
  return 'error';
}

/** The medium and canonical address an identity server reported, or an invalid answer. */
function recognised(idServer: IdServer, medium: unknown, address: unknown): { medium: Medium; address: string } {
  if (typeof medium !== 'string' || !isMedium(medium) || typeof address !== 'string') {
    throw new IdentityServerUnavailableError('invalid-answer', idServer, 'no known medium and address');
  }
  try {
    return { medium, address: canonicalAddress(medium, address) };
  } catch {
    throw new IdentityServerUnavailableError('invalid-answer', idServer, 'an address this homeserver cannot parse');
  }
}
