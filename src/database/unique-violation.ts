import { QueryFailedError } from 'typeorm';

/** True when an insert failed on a primary-key or unique constraint, on SQLite or MySQL/MariaDB. */
export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: string; errno?: number } | undefined;
  return (
    driverError?.code === 'ER_DUP_ENTRY' ||
    driverError?.errno === 1062 ||
    driverError?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' ||
    driverError?.code === 'SQLITE_CONSTRAINT_UNIQUE'
  );
}
