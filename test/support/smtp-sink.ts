import { AddressInfo } from 'node:net';
import { SMTPServer, SMTPServerAddress } from 'smtp-server';

/** A message as an SMTP server received it, with its plain-text and HTML parts decoded. */
export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  subject: string;
  text: string;
  html: string;
}

/**
 * A real SMTP server on 127.0.0.1 that keeps what it receives; `rejectRecipients` makes it refuse
 * every recipient, as a server does for an unknown mailbox.
 */
export class SmtpSink {
  readonly messages: ReceivedMail[] = [];
  /** Every RCPT TO offered, accepted or refused: any attempt to send mail shows here. */
  readonly recipients: string[] = [];
  rejectRecipients = false;
  private gate?: { arrived: () => void; decision: Promise<boolean> };

  private constructor(private readonly server: SMTPServer) {}

  static async start(): Promise<SmtpSink> {
    let sink!: SmtpSink;
    const server = new SMTPServer({
      authOptional: true,
      // Plain SMTP on loopback: no certificate for the client to verify.
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo(address: SMTPServerAddress, _session, callback) {
        sink.recipients.push(address.address);
        callback(sink.rejectRecipients ? Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }) : undefined);
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', async () => {
          const gate = sink.gate;
          sink.gate = undefined;
          if (gate) {
            gate.arrived();
            if (!(await gate.decision)) return callback(Object.assign(new Error('Message refused'), { responseCode: 554 }));
          }
          sink.receive(
            Buffer.concat(chunks).toString('utf8'),
            session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            session.envelope.rcptTo.map((rcpt) => rcpt.address),
          );
          callback();
        });
      },
    });
    sink = new SmtpSink(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return sink;
  }

  /**
   * Holds the next message before answering its DATA, as a slow server does: `arrived` resolves
   * when it is held, and `release(accept)` lets it through or refuses it.
   */
  holdNextMessage(): { arrived: Promise<void>; release: (accept: boolean) => void } {
    let arrived!: () => void;
    let release!: (accept: boolean) => void;
    const arrival = new Promise<void>((resolve) => (arrived = resolve));
    this.gate = { arrived, decision: new Promise<boolean>((resolve) => (release = resolve)) };
    return { arrived: arrival, release };
  }

  get url(): string {
    return `smtp://127.0.0.1:${(this.server.server.address() as AddressInfo).port}`;
  }

  /** The validation link in the latest message's text part. */
  lastLink(): URL {
    const mail = this.messages.at(-1);
    const link = mail?.text.match(/https?:\/\/\S+/)?.[0];
    if (!link) throw new Error('No link in the last message');
    return new URL(link);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private receive(raw: string, from: string, to: string[]): void {
    this.messages.push({ raw, from, to, subject: header(raw, 'subject'), text: part(raw, 'text/plain'), html: part(raw, 'text/html') });
  }
}

function header(block: string, name: string): string {
  const head = block.split(/\r?\n\r?\n/, 1)[0].replace(/\r?\n[ \t]+/g, ' ');
  return head.match(new RegExp(`^${name}:\\s*(.*)$`, 'im'))?.[1] ?? '';
}

/** The decoded body of the first MIME part of this type (nodemailer sends multipart/alternative). */
function part(raw: string, type: string): string {
  const boundary = header(raw, 'content-type').match(/boundary="?([^";]+)"?/)?.[1];
  const parts = boundary ? raw.split(`--${boundary}`) : [raw];
  const found = parts.find((candidate) => header(candidate.replace(/^\r?\n/, ''), 'content-type').startsWith(type));
  if (!found) return '';
  const section = found.replace(/^\r?\n/, '');
  const body = section.slice(section.search(/\r?\n\r?\n/)).replace(/^\r?\n\r?\n/, '');
  const encoding = header(section, 'content-transfer-encoding').toLowerCase();
  if (encoding === 'base64') return Buffer.from(body, 'base64').toString('utf8');
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  return body;
}

function decodeQuotedPrintable(text: string): string {
  const bytes = text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/gi, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}
