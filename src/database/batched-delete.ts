import { DataSource } from 'typeorm';

/** Rows per statement: small enough that no statement holds its locks for long. */
export const PURGE_BATCH_ROWS = 1000;

/**
 * Deletes the rows of `table` whose `timeColumn` is before `time`, oldest first, at most
 * `batchRows` per statement and yielding to other work between statements, so that purging a
 * million expired rows never stalls requests. `timeColumn` must be indexed: each statement then
 * reads only the rows it deletes. Returns how many rows went.
 */
export async function deleteInBatches(
  dataSource: DataSource,
  { table, key, timeColumn }: { table: string; key: string; timeColumn: string },
  time: number,
  batchRows = PURGE_BATCH_ROWS,
): Promise<number> {
  const type = dataSource.options.type;
  const sql =
    type === 'mysql' || type === 'mariadb'
      ? // MySQL/MariaDB delete along the index. (A subquery form made MariaDB scan the whole table
        // for every batch: statements of seconds on a million rows, past DATABASE_TIMEOUT under load.)
        `DELETE FROM ${table} WHERE ${timeColumn} < ? ORDER BY ${timeColumn} LIMIT ${batchRows}`
      : // SQLite has no DELETE ... LIMIT unless compiled with it; it looks the batch up by primary key.
        `DELETE FROM ${table} WHERE ${key} IN (SELECT ${key} FROM ${table} WHERE ${timeColumn} < ? ORDER BY ${timeColumn} LIMIT ${batchRows})`;
  let deleted = 0;
  for (;;) {
    const runner = dataSource.createQueryRunner();
    let affected: number;
    try {
      affected = (await runner.query(sql, [time], true)).affected ?? 0;
    } finally {
      await runner.release();
    }
    deleted += affected;
    if (affected < batchRows) return deleted;
    await new Promise((resolve) => setImmediate(resolve));
  }
}
