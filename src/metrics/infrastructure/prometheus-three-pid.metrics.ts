import { Injectable } from '@nestjs/common';
import { Counter, Histogram, Registry } from 'prom-client';
import type { IdentityServerOperation, IdentityServerOutcome, ThreePidMetrics } from '../../threepid/application/ports/three-pid-metrics';
import { MEDIA, Medium } from '../../threepid/domain/medium';
import { LATENCY_BUCKETS, PREFIX } from './metric-names';

/** A counter by medium, with a series for each medium from the start (at 0). */
class CountByMedium {
  private readonly counter: Counter<'medium'>;

  constructor(registry: Registry, name: string, help: string) {
    this.counter = new Counter({ name: `${PREFIX}${name}`, help, labelNames: ['medium'], registers: [registry] });
    for (const medium of MEDIA) this.counter.inc({ medium }, 0);
  }

  inc(medium: Medium): void {
    this.counter.inc({ medium });
  }
}

/** The 3PID feature's counts (ThreePidMetrics) as Prometheus metrics. */
@Injectable()
export class PrometheusThreePidMetrics implements ThreePidMetrics {
  private readonly messagesSent: CountByMedium;
  private readonly messagesFailed: CountByMedium;
  private readonly sessionsStarted: CountByMedium;
  private readonly sessionsValidated: CountByMedium;
  private readonly added: CountByMedium;
  private readonly removed: CountByMedium;
  private readonly identityServerRequests: Counter<'operation' | 'outcome'>;
  private readonly identityServerDuration: Histogram<'operation'>;

  constructor(registry: Registry) {
    this.messagesSent = new CountByMedium(registry, 'validation_messages_sent_total', 'Validation e-mails and SMS that went out, by medium');
    this.messagesFailed = new CountByMedium(
      registry,
      'validation_messages_failed_total',
      'Validation e-mails and SMS that could not be sent (the client got 500), by medium',
    );
    this.sessionsStarted = new CountByMedium(
      registry,
      'validation_sessions_started_total',
      'Validation sessions started (a new sid) whose first message went out, by medium',
    );
    this.sessionsValidated = new CountByMedium(registry, 'validation_sessions_validated_total', 'Validation sessions validated by a submitted token, by medium');
    this.added = new CountByMedium(registry, 'threepids_added_total', '3PIDs added to accounts, by medium');
    this.removed = new CountByMedium(registry, 'threepids_removed_total', '3PIDs removed from accounts, by medium');
    this.identityServerRequests = new Counter({
      name: `${PREFIX}identity_server_requests_total`,
      help: 'Calls to identity servers, by operation and outcome',
      labelNames: ['operation', 'outcome'],
      registers: [registry],
    });
    this.identityServerDuration = new Histogram({
      name: `${PREFIX}identity_server_request_duration_seconds`,
      help: 'How long calls to identity servers took, by operation, whatever their outcome',
      labelNames: ['operation'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    });
  }

  validationMessageSent(medium: Medium): void {
    this.messagesSent.inc(medium);
  }

  validationMessageFailed(medium: Medium): void {
    this.messagesFailed.inc(medium);
  }

  validationSessionStarted(medium: Medium): void {
    this.sessionsStarted.inc(medium);
  }

  validationSessionValidated(medium: Medium): void {
    this.sessionsValidated.inc(medium);
  }

  threePidAdded(medium: Medium): void {
    this.added.inc(medium);
  }

  threePidRemoved(medium: Medium): void {
    this.removed.inc(medium);
  }

  identityServerCall(operation: IdentityServerOperation, outcome: IdentityServerOutcome, seconds: number): void {
    this.identityServerRequests.inc({ operation, outcome });
    this.identityServerDuration.observe({ operation }, seconds);
  }
}
