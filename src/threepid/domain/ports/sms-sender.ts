/** Sends a text message. Throws when the message was not accepted for delivery. */
export interface SmsSender {
  /** @param to the msisdn: E.164 digits without `+` */
  send(to: string, body: string): Promise<void>;
}
export const SmsSender = Symbol('SmsSender');
