import { OnModuleDestroy } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import { EmailMessage, EmailSender } from '../domain/ports/email-sender';

/** nodemailer's own defaults wait minutes; a client's request is waiting here. */
const DEFAULT_TIMEOUT_MS = 10_000;

/** Sends through the SMTP server of SMTP_URL (`smtp://` with STARTTLS when offered, `smtps://` for TLS). */
export class SmtpEmailSender implements EmailSender, OnModuleDestroy {
  private readonly transport: Transporter;

  /** `timeoutMs` bounds each wait on the server: connecting, its greeting, and its answer to every command, DATA included. */
  constructor(smtpUrl: string, from: string, timeoutMs = DEFAULT_TIMEOUT_MS) {
    this.transport = createTransport(
      { url: smtpUrl, connectionTimeout: timeoutMs, greetingTimeout: timeoutMs, socketTimeout: timeoutMs },
      { from },
    );
  }

  async send(message: EmailMessage): Promise<void> {
    await this.transport.sendMail(message);
  }

  onModuleDestroy(): void {
    this.transport.close();
  }
}
