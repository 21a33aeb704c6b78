import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export interface ReceivedSms {
  to: string;
  body: string;
  contentType: string | undefined;
}

/** A real HTTP server standing in for an SMS gateway's webhook; `failWith` makes it answer an error. */
export class SmsWebhook {
  readonly messages: ReceivedSms[] = [];
  failWith?: number;

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
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"queued":true}');
  }
}
