import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';
import { binaryCollation, textColumn, userForeignKey } from './columns';

/** User-Interactive Authentication's sessions, and the wrong passwords counted per account (login and UIA). */
export class CreateUiaSessions1765411200000 implements MigrationInterface {
  name = 'CreateUiaSessions1765411200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const text = textColumn(await binaryCollation(queryRunner));
    const bigint = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'bigint', isNullable });

    await queryRunner.createTable(
      new Table({
        name: 'uia_sessions',
        columns: [
          text('session_id', 64, { isPrimary: true }),
          text('user_id', 255),
          // SHA-256, hex, of the method, path and body the session authorises: bodies hold secrets.
          text('request_hash', 64),
          // JSON list of the stage types completed.
          text('completed', 1024),
          bigint('created_at'),
          bigint('claimed_at', true),
          { name: 'version', type: 'integer', isNullable: false },
        ],
        indices: [{ name: 'idx_uia_sessions_created', columnNames: ['created_at'] }],
        foreignKeys: [userForeignKey('fk_uia_sessions_user')],
      }),
    );

    await queryRunner.createTable(
      new Table({
        name: 'auth_failed_attempts',
        // The user ID a login names, existing or not (so no foreign key), or a hash of an identifier naming nobody.
        columns: [text('attempt_id', 32, { isPrimary: true }), text('account_key', 255), bigint('attempted_at')],
        indices: [
          { name: 'idx_auth_failed_attempts_account_time', columnNames: ['account_key', 'attempted_at'] },
          { name: 'idx_auth_failed_attempts_time', columnNames: ['attempted_at'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('auth_failed_attempts');
    await queryRunner.dropTable('uia_sessions');
  }
}
