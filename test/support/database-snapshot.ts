import { DataSource } from 'typeorm';

/** Every row of every table (the migrations table included), each row as JSON, by table. */
export type DatabaseSnapshot = Record<string, string[]>;

/** What changed between two snapshots: per table, the rows that appeared and those that went (an update is one of each). */
export type DatabaseChanges = Record<string, { added: number; removed: number }>;

/** The names of every table in the app's database, read from the database's own catalogue. */
export async function tableNames(dataSource: DataSource): Promise<string[]> {
  const rows: { name: string }[] =
    dataSource.options.type === 'better-sqlite3'
      ? await dataSource.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
      : await dataSource.query('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name');
  return rows.map((row) => row.name);
}

export async function snapshotDatabase(dataSource: DataSource): Promise<DatabaseSnapshot> {
  const snapshot: DatabaseSnapshot = {};
  for (const table of await tableNames(dataSource)) {
    const rows: Record<string, unknown>[] = await dataSource.query(`SELECT * FROM ${dataSource.driver.escape(table)}`);
    snapshot[table] = rows.map((row) => JSON.stringify(row)).sort();
  }
  return snapshot;
}

/** Tables whose rows differ, with how many rows appeared and went; empty when nothing changed. */
export function databaseChanges(before: DatabaseSnapshot, after: DatabaseSnapshot): DatabaseChanges {
  const changes: DatabaseChanges = {};
  for (const table of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const remaining = new Map<string, number>();
    for (const row of before[table] ?? []) remaining.set(row, (remaining.get(row) ?? 0) + 1);
    let added = 0;
    for (const row of after[table] ?? []) {
      const count = remaining.get(row) ?? 0;
      if (count > 0) remaining.set(row, count - 1);
      else added++;
    }
    const removed = [...remaining.values()].reduce((sum, count) => sum + count, 0);
    if (added > 0 || removed > 0) changes[table] = { added, removed };
  }
  return changes;
}
