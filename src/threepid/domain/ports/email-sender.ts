/** A message for one recipient, in plain text and HTML. */
export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Sends e-mail. Throws when the message was not accepted for delivery. */
export interface EmailSender {
  send(message: EmailMessage): Promise<void>;
}
export const EmailSender = Symbol('EmailSender');
