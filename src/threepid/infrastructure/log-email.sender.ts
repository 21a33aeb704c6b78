import { Logger } from '@nestjs/common';
import { EmailMessage, EmailSender } from '../domain/ports/email-sender';

/**
 * Without SMTP_URL, validation e-mails go to the log, so that `npm start` alone lets someone try the
 * whole flow. The log then holds working validation links: for development only.
 */
export class LogEmailSender implements EmailSender {
  private readonly logger = new Logger('EmailSender');

  async send(message: EmailMessage): Promise<void> {
    this.logger.log({ to: message.to, subject: message.subject, text: message.text }, 'Email not sent (no SMTP_URL)');
  }
}
