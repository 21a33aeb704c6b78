import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export interface ReceivedSms {
  to: string;
  body: string;
  contentType: string | undefined;
}

/**
 * A real HTTP server standing in for an SMS gateway's webhook; `failWith` makes it answer an error,
 * and `holdNext` makes it slow.
 */
export class SmsWebhook {
  readonly messages: ReceivedSms[] = [];
  failWith?: number;
  private held: { arrived: () => void; answer: Promise<number> }[] = [];

  private constructor(private readonly server: Server) {}

  static async start(): Promise<SmsWebhook> {
    let webhook!: SmsWebhook;
    const server = createServer((request, response) => void webhook.handle(request, response));
    webhook = new SmsWebhook(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return webhook;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/send-sms`;
  }

  /** The six-digit code in the latest message. */
  lastCode(): string {
    const code = this.messages.at(-1)?.body.match(/\b\d{6}\b/)?.[0];
    if (!code) throw new Error('No code in the last SMS');
    return code;
  }

  /**
   * Holds the answer to the next request, as a slow gateway does, after it received the message (so
   * that its code can be read, as from a phone the SMS reached): `arrived` resolves when it is
   * held, and `answer(status)` answers it, 200 or an error.
   */
  holdNext(): { arrived: Promise<void>; answer: (status: number) => void } {
    let arrived!: () => void;
    let answer!: (status: number) => void;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    this.held.push({ arrived, answer: new Promise<number>((resolve) => (answer = resolve)) });
    return { arrived: arrival, answer };
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (this.failWith) {
      response.writeHead(this.failWith).end('gateway error');
      return;
    }
    const { to, body } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { to: string; body: string };
    this.messages.push({ to, body, contentType: request.headers['content-type'] });
    const held = this.held.shift();
    if (held) {
      held.arrived();
      const status = await held.answer;
      if (status >= 300) return void response.writeHead(status).end('gateway error');
    }
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"queued":true}');
  }
}
