import { Injectable } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import type { AuthMetrics, PasswordLimitScope, UiaFailure } from '../../auth/application/ports/auth-metrics';
import { PREFIX } from './metric-names';
import { PrometheusRateLimitMetrics } from './prometheus-rate-limit.metrics';

const UIA_FAILURES: readonly UiaFailure[] = ['wrong_password', 'wrong_user', 'invalid_session', 'session_in_use', 'rate_limited', 'invalid_request', 'error'];

/** The wrong-password limits, under their names among the other rate limits. */
const PASSWORD_LIMITS: Readonly<Record<PasswordLimitScope, string>> = { identifier: 'failed_passwords', account: 'failed_passwords_account' };

/** User-Interactive Authentication's outcomes; the wrong-password limits count with the other rate limits. */
@Injectable()
export class PrometheusAuthMetrics implements AuthMetrics {
  private readonly challenges: Counter;
  private readonly successes: Counter;
  private readonly failures: Counter<'reason'>;

  constructor(
    registry: Registry,
    private readonly rateLimits: PrometheusRateLimitMetrics,
  ) {
    this.challenges = new Counter({
      name: `${PREFIX}uia_challenges_total`,
      help: 'User-Interactive Authentication 401s asking for authentication (flows and a session), no stage failed',
      registers: [registry],
    });
    this.successes = new Counter({
      name: `${PREFIX}uia_successes_total`,
      help: 'Requests that completed a User-Interactive Authentication flow and were authorised',
      registers: [registry],
    });
    this.failures = new Counter({
      name: `${PREFIX}uia_failures_total`,
      help: 'Requests User-Interactive Authentication refused, by reason',
      labelNames: ['reason'],
      registers: [registry],
    });
    for (const reason of UIA_FAILURES) this.failures.inc({ reason }, 0);
  }

  uiaChallenged(): void {
    this.challenges.inc();
  }

  uiaSucceeded(): void {
    this.successes.inc();
  }

  uiaFailed(reason: UiaFailure): void {
    this.failures.inc({ reason });
  }

  failedPasswordLimitReached(scope: PasswordLimitScope): void {
    this.rateLimits.refused(PASSWORD_LIMITS[scope]);
  }
}
