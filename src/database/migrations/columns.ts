import { QueryRunner, TableColumnOptions } from 'typeorm';

// Column helpers shared by the migrations, so that every table follows the same conventions.

/**
 * Text columns compare byte for byte on every database, as on SQLite (BINARY): case, accents and
 * trailing spaces are the application's business (canonicalisation), never the collation's.
 * utf8mb4_bin would ignore trailing spaces (PAD SPACE), so MySQL/MariaDB get a NO PAD binary collation.
 */
export async function binaryCollation(queryRunner: QueryRunner): Promise<string | undefined> {
  const type = queryRunner.connection.driver.options.type;
  if (type !== 'mysql' && type !== 'mariadb') return undefined;
  // The URL scheme need not say which server it is; the server does.
  const [{ version }] = await queryRunner.query('SELECT VERSION() AS version');
  return String(version).includes('MariaDB') ? 'utf8mb4_nopad_bin' : 'utf8mb4_0900_bin';
}

export function textColumn(collation: string | undefined) {
  const binary = collation ? { charset: 'utf8mb4', collation } : {};
  return (name: string, length: number, extra: Partial<TableColumnOptions> = {}): TableColumnOptions => ({
    name,
    type: 'varchar',
    length: String(length),
    isNullable: false,
    ...binary,
    ...extra,
  });
}

export function userForeignKey(name: string) {
  return {
    name,
    columnNames: ['user_id'],
    referencedTableName: 'users',
    referencedColumnNames: ['user_id'],
    onDelete: 'CASCADE',
    onUpdate: 'NO ACTION',
  };
}
