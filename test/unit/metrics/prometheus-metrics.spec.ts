import { Registry } from 'prom-client';
import { PrometheusAuthMetrics } from '../../../src/metrics/infrastructure/prometheus-auth.metrics';
import { PrometheusRateLimitMetrics, RATE_LIMITS } from '../../../src/metrics/infrastructure/prometheus-rate-limit.metrics';
import { PrometheusThreePidMetrics } from '../../../src/metrics/infrastructure/prometheus-three-pid.metrics';
import { Scrape } from '../../support/prometheus-text';

/** The three adapters on one registry, as MetricsModule wires them. */
function adapters(registry = new Registry()) {
  const rateLimits = new PrometheusRateLimitMetrics(registry);
  return { registry, rateLimits, auth: new PrometheusAuthMetrics(registry, rateLimits), threePid: new PrometheusThreePidMetrics(registry) };
}

describe('the Prometheus adapters', () => {
  it('show every medium, limit and UIA failure reason from the start, at 0, and no identity-server series before a call', async () => {
    const { registry } = adapters();
    const scrape = Scrape.parse(await registry.metrics());
    for (const name of ['validation_messages_sent', 'validation_messages_failed', 'validation_sessions_started', 'validation_sessions_validated', 'threepids_added', 'threepids_removed']) {
      expect(scrape.find(`matrix_3pid_${name}_total`)).toEqual([
        { name: `matrix_3pid_${name}_total`, labels: { medium: 'email' }, value: 0 },
        { name: `matrix_3pid_${name}_total`, labels: { medium: 'msisdn' }, value: 0 },
      ]);
      expect(scrape.types.get(`matrix_3pid_${name}_total`)).toBe('counter');
    }
    expect(scrape.find('matrix_3pid_rate_limited_requests_total').map((sample) => sample.labels.limit)).toEqual([...RATE_LIMITS]);
    expect(scrape.find('matrix_3pid_uia_failures_total')).toHaveLength(7);
    expect(scrape.value('matrix_3pid_uia_challenges_total')).toBe(0);
    expect(scrape.find('matrix_3pid_identity_server_requests_total')).toEqual([]);
  });

  it('count each call under its own labels', async () => {
    const { registry, auth, threePid, rateLimits } = adapters();
    threePid.validationMessageSent('msisdn');
    threePid.validationMessageFailed('email');
    threePid.validationSessionStarted('msisdn');
    threePid.validationSessionValidated('msisdn');
    threePid.threePidAdded('email');
    threePid.threePidRemoved('email');
    threePid.identityServerCall('unbind', 'no_support', 0.3);
    threePid.identityServerCall('unbind', 'success', 0.02);
    auth.uiaChallenged();
    auth.uiaSucceeded();
    auth.uiaFailed('wrong_user');
    auth.failedPasswordLimitReached('identifier');
    auth.failedPasswordLimitReached('account');
    rateLimits.refused('request_token_address');
    const changes = Scrape.parse(await registry.metrics()).changesSince(Scrape.parse(await adapters().registry.metrics()), 'matrix_3pid_');
    expect(Object.fromEntries(changes)).toEqual({
      'matrix_3pid_validation_messages_sent_total{medium="msisdn"}': 1,
      'matrix_3pid_validation_messages_failed_total{medium="email"}': 1,
      'matrix_3pid_validation_sessions_started_total{medium="msisdn"}': 1,
      'matrix_3pid_validation_sessions_validated_total{medium="msisdn"}': 1,
      'matrix_3pid_threepids_added_total{medium="email"}': 1,
      'matrix_3pid_threepids_removed_total{medium="email"}': 1,
      'matrix_3pid_identity_server_requests_total{operation="unbind",outcome="no_support"}': 1,
      'matrix_3pid_identity_server_requests_total{operation="unbind",outcome="success"}': 1,
      'matrix_3pid_identity_server_request_duration_seconds_count{operation="unbind"}': 2,
      'matrix_3pid_identity_server_request_duration_seconds_sum{operation="unbind"}': 0.32,
      'matrix_3pid_identity_server_request_duration_seconds_bucket{le="0.025",operation="unbind"}': 1,
      'matrix_3pid_identity_server_request_duration_seconds_bucket{le="0.05",operation="unbind"}': 1,
      'matrix_3pid_identity_server_request_duration_seconds_bucket{le="0.1",operation="unbind"}': 1,
      'matrix_3pid_identity_server_request_duration_seconds_bucket{le="0.25",operation="unbind"}': 1,
      'matrix_3pid_identity_server_request_duration_seconds_bucket{le="0.5",operation="unbind"}': 2,
      'matrix_3pid_identity_server_request_duration_seconds_bucket{le="1",operation="unbind"}': 2,
      'matrix_3pid_identity_server_request_duration_seconds_bucket{le="2.5",operation="unbind"}': 2,
      'matrix_3pid_identity_server_request_duration_seconds_bucket{le="5",operation="unbind"}': 2,
      'matrix_3pid_identity_server_request_duration_seconds_bucket{le="10",operation="unbind"}': 2,
      'matrix_3pid_identity_server_request_duration_seconds_bucket{le="+Inf",operation="unbind"}': 2,
      'matrix_3pid_uia_challenges_total': 1,
      'matrix_3pid_uia_successes_total': 1,
      'matrix_3pid_uia_failures_total{reason="wrong_user"}': 1,
      'matrix_3pid_rate_limited_requests_total{limit="failed_passwords"}': 1,
      'matrix_3pid_rate_limited_requests_total{limit="failed_passwords_account"}': 1,
      'matrix_3pid_rate_limited_requests_total{limit="request_token_address"}': 1,
    });
  });

  it('keep two applications in one process apart, each on its own registry', async () => {
    const [first, second] = [adapters(), adapters()];
    first.threePid.threePidAdded('email');
    expect(Scrape.parse(await first.registry.metrics()).value('matrix_3pid_threepids_added_total', { medium: 'email' })).toBe(1);
    expect(Scrape.parse(await second.registry.metrics()).value('matrix_3pid_threepids_added_total', { medium: 'email' })).toBe(0);
  });
});
