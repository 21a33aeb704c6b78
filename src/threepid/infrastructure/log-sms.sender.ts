import { Logger } from '@nestjs/common';
import { SmsSender } from '../domain/ports/sms-sender';

/** Without SMS_WEBHOOK_URL, text messages go to the log (development only: it then holds the codes). */
export class LogSmsSender implements SmsSender {
  private readonly logger = new Logger('SmsSender');

  async send(to: string, body: string): Promise<void> {
    this.logger.log({ to, body }, 'SMS not sent (no SMS_WEBHOOK_URL)');
  }
}
