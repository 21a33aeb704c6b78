import { DataSource } from 'typeorm';

/** Rows per statement: small enough that no statement holds its locks for long. */
export const PURGE_BATCH_ROWS = 1000;

/**
 * Deletes the rows of `table` whose `timeColumn` is before `time`, oldest first, at most
 * `batchRows` per statement and yielding to other work between statements, so that purging a
 * million expired rows never stalls requests. One statement that SQLite and MySQL/MariaDB both
 * accept (the derived table lets MySQL select from the table it deletes from); `timeColumn` must be
 * indexed. Returns how many rows went.
 */
export async function deleteInBatches(
  dataSource: DataSource,
  { table, key, timeColumn }: { table: string; key: string; timeColumn: string },
  time: number,
  batchRows = PURGE_BATCH_ROWS,
): Promise<number> {
  const sql =
    `DELETE FROM ${table} WHERE ${key} IN ` +
    `(SELECT ${key} FROM (SELECT ${key} FROM ${table} WHERE ${timeColumn} < ? ORDER BY ${timeColumn} LIMIT ${batchRows}) AS batch)`;
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
