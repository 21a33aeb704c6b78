import { SmsSender } from '../domain/ports/sms-sender';

/** Gives up on a webhook that does not answer, rather than holding the client's request. */
const WEBHOOK_TIMEOUT_MS = 10_000;

export class SmsWebhookError extends Error {
  constructor(detail: string) {
    // Never the URL: it may carry the gateway's credentials.
    super(`The SMS webhook failed: ${detail}`);
    this.name = 'SmsWebhookError';
  }
}

/** POSTs `{"to": "<msisdn>", "body": "<text>"}` as JSON to SMS_WEBHOOK_URL; any 2xx answer means sent. */
export class WebhookSmsSender implements SmsSender {
  constructor(private readonly webhookUrl: string) {}

  async send(to: string, body: string): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ to, body }),
        redirect: 'error',
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
    } catch (error) {
      throw new SmsWebhookError(error instanceof Error ? error.name : 'no answer');
    }
    await response.body?.cancel();
    if (!response.ok) throw new SmsWebhookError(`HTTP ${response.status}`);
  }
}
