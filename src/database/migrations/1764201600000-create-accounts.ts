import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';
import { binaryCollation, textColumn, userForeignKey } from './columns';

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
