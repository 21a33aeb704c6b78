/**
 * A mail relay for the benchmark, in its own process so that it never waits behind the load
 * generator: accepts every message and keeps only the count. `fork`ed by run.ts; sends
 * `{ port }` once listening, and `{ received }` when sent `'count'`.
 */
import { SMTPServer } from 'smtp-server';

let received = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, _session, callback) {
    stream.on('data', () => undefined);
    stream.on('end', () => {
      received += 1;
      callback();
    });
  },
});

server.listen(0, '127.0.0.1', () => process.send!({ port: (server.server.address() as { port: number }).port }));
process.on('message', (message) => {
  if (message === 'count') process.send!({ received });
});
process.on('disconnect', () => server.close(() => process.exit(0)));
