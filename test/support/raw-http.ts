import { connect } from 'node:net';

/** An answer as read off the socket. */
export interface RawAnswer {
  status: number;
  /** Lower-case names; the last value of a repeated header. */
  headers: Record<string, string>;
  text: string;
}

/**
 * Sends bytes as they are to 127.0.0.1:`port` and reads the answer until the server closes the
 * connection: for requests no HTTP client would send (control characters in a header, two
 * Authorization headers, a malformed request line). End the head with `Connection: close`.
 */
export function rawRequest(port: number, request: string | Buffer): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const raw = Buffer.concat(chunks).toString('latin1');
      const headEnd = raw.indexOf('\r\n\r\n');
      const [statusLine, ...headerLines] = raw.slice(0, headEnd < 0 ? raw.length : headEnd).split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const body = headEnd < 0 ? '' : raw.slice(headEnd + 4);
      resolve({ status: Number(statusLine.split(' ')[1]), headers, text: Buffer.from(body, 'latin1').toString('utf8') });
    });
    socket.write(request);
  });
}
