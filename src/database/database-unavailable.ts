import { QueryFailedError } from 'typeorm';
import { ErrCode, MatrixError } from '../common/errors/matrix-error';

/** The database refused, dropped or did not answer within DATABASE_TIMEOUT: the client may retry. */
export class DatabaseUnavailableError extends MatrixError {
  constructor() {
    super(503, ErrCode.Unknown, 'The database is unavailable. Please try again later');
  }
}

/**
 * Codes of errors that mean the database cannot serve now but may soon: our own bound
 * (DATABASE_TIMEOUT, see bounded-mysql.driver.ts), a refused, reset or lost connection, a server
 * shutting down or full, a lock not granted in time (SQLite's SQLITE_BUSY* codes too).
 */
const UNAVAILABLE = new Set([
  'DATABASE_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_LOCK_WAIT_TIMEOUT',
]);

/**
 * What made the database unavailable, if that is what `error` (from TypeORM or a driver) says: its
 * code and message, never the query or its parameters (they may hold secrets); else undefined.
 * mysql2 marks every error that ends a connection `fatal`.
 */
export function databaseUnavailability(error: unknown): string | undefined {
  const cause: unknown = error instanceof QueryFailedError ? error.driverError : error;
  // Not `instanceof Error`: socket errors may come from another realm (as under Jest).
  if (typeof cause !== 'object' || cause === null) return undefined;
  const { code, fatal, message } = cause as { code?: unknown; fatal?: unknown; message?: unknown };
  const known = typeof code === 'string' && (UNAVAILABLE.has(code) || code.startsWith('SQLITE_BUSY'));
  return known || fatal === true ? `${typeof code === 'string' ? code : 'fatal'}: ${String(message)}` : undefined;
}
