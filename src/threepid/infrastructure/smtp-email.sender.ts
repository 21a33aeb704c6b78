import { OnModuleDestroy } from '@nestjs/common';
import { createTransport, type Transporter } from 'nodemailer';
import { EmailMessage, EmailSender } from '../domain/ports/email-sender';

/** Sends through the SMTP server of SMTP_URL (`smtp://` with STARTTLS when offered, `smtps://` for TLS). */
export class SmtpEmailSender implements EmailSender, OnModuleDestroy {
  private readonly transport: Transporter;

  constructor(smtpUrl: string, from: string) {
    this.transport = createTransport(
      // Bounded waits: a request that sends mail must not hang for nodemailer's default of minutes.
      { url: smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 },
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
