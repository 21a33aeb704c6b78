/**
 * The bare baseline: node:http and the database driver alone, doing what GET /account/3pid does
 * per request (the token's owner by its SHA-256, then the owner's 3PIDs, both on an index), with
 * nothing else. `node baseline-server.js <DATABASE_URL>`; prints `{"port": N}` once listening.
 */
import { createHash } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import Database from 'better-sqlite3';
import { createPool } from 'mysql2/promise';
import { connectionOptions } from './database';

type Lookup = (tokenHash: string) => Promise<{ userId: string; threepids: unknown[] } | undefined>;

const TOKEN_SQL = 'SELECT user_id FROM access_tokens WHERE token_hash = ?';
const THREEPIDS_SQL = 'SELECT medium, address, validated_at, added_at FROM user_threepids WHERE user_id = ? ORDER BY added_at, medium, address';

function lookupFor(url: string): Lookup {
  if (url.startsWith('sqlite:')) {
    const db = new Database(url.slice('sqlite:'.length));
    const token = db.prepare(TOKEN_SQL);
    const threepids = db.prepare(THREEPIDS_SQL);
    return async (tokenHash) => {
      const row = token.get(tokenHash) as { user_id: string } | undefined;
      return row && { userId: row.user_id, threepids: threepids.all(row.user_id) };
    };
  }
  const server = new URL(url);
  // The same pool size as the app's (mysql2's default through TypeORM).
  const pool = createPool({ ...connectionOptions(server), database: server.pathname.slice(1), connectionLimit: 10, supportBigNumbers: true });
  return async (tokenHash) => {
    const [rows] = await pool.execute(TOKEN_SQL, [tokenHash]);
    const owner = (rows as { user_id: string }[])[0];
    if (!owner) return undefined;
    const [threepids] = await pool.execute(THREEPIDS_SQL, [owner.user_id]);
    return { userId: owner.user_id, threepids: (threepids as Record<string, unknown>[]).map((t) => ({ ...t, validated_at: Number(t.validated_at), added_at: Number(t.added_at) })) };
  };
}

const lookup = lookupFor(process.argv[2]);

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1];
  const found = token && (await lookup(createHash('sha256').update(token).digest('hex')));
  if (!found) {
    response.writeHead(401, { 'content-type': 'application/json' }).end('{"errcode":"M_UNKNOWN_TOKEN","error":"Unrecognised access token"}');
    return;
  }
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ threepids: found.threepids }));
}

const server = createServer((request, response) => {
  handle(request, response).catch(() => response.writeHead(500).end());
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: (server.address() as { port: number }).port })}\n`));
