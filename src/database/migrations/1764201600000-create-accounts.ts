import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

/**
 * Users, their access tokens and their third-party identifiers.
 * Written with TypeORM's Table API so that one migration serves SQLite and MySQL/MariaDB.
 */
export class CreateAccounts1764201600000 implements MigrationInterface {
  name = 'CreateAccounts1764201600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const text = textColumn(await binaryCollation(queryRunner));
    const timestamp = (name: string): TableColumnOptions => ({ name, type: 'bigint', isNullable: false });

    await queryRunner.createTable(
      new Table({
        name: 'users',
        columns: [
          text('user_id', 255, { isPrimary: true }),
          text('password_hash', 255),
          timestamp('created_at'),
        ],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'access_tokens',
        columns: [
          // SHA-256 of the token, hex: the token itself is never stored.
          text('token_hash', 64, { isPrimary: true }),
          text('user_id', 255),
          text('device_id', 255),
          timestamp('created_at'),
        ],
        indices: [{ name: 'idx_access_tokens_user_device', columnNames: ['user_id', 'device_id'] }],
        foreignKeys: [userForeignKey('fk_access_tokens_user')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'user_threepids',
        columns: [
          text('medium', 16, { isPrimary: true }),
          // Canonical form (see the domain); unique per medium across all users.
          text('address', 512, { isPrimary: true }),
          text('user_id', 255),
          timestamp('validated_at'),
          timestamp('added_at'),
        ],
        indices: [{ name: 'idx_user_threepids_user', columnNames: ['user_id'] }],
        foreignKeys: [userForeignKey('fk_user_threepids_user')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('user_threepids');
    await queryRunner.dropTable('access_tokens');
    await queryRunner.dropTable('users');
  }
}

/**
 * Text columns compare byte for byte on every database, as on SQLite (BINARY): case, accents and
 * trailing spaces are the application's business (canonicalisation), never the collation's.
 * utf8mb4_bin would ignore trailing spaces (PAD SPACE), so MySQL/MariaDB get a NO PAD binary collation.
 */
async function binaryCollation(queryRunner: QueryRunner): Promise<string | undefined> {
  const type = queryRunner.connection.driver.options.type;
  if (type !== 'mysql' && type !== 'mariadb') return undefined;
  // The URL scheme need not say which server it is; the server does.
  const [{ version }] = await queryRunner.query('SELECT VERSION() AS version');
  return String(version).includes('MariaDB') ? 'utf8mb4_nopad_bin' : 'utf8mb4_0900_bin';
}

function textColumn(collation: string | undefined) {
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

function userForeignKey(name: string) {
  return {
    name,
    columnNames: ['user_id'],
    referencedTableName: 'users',
    referencedColumnNames: ['user_id'],
    onDelete: 'CASCADE',
    onUpdate: 'NO ACTION',
  };
}
