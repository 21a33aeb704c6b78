import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';
import { binaryCollation, textColumn } from './columns';

/** Validation sessions: proving control of an e-mail address or phone number before adding it. */
export class CreateValidationSessions1764979200000 implements MigrationInterface {
  name = 'CreateValidationSessions1764979200000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const text = textColumn(await binaryCollation(queryRunner));
    const bigint = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'bigint', isNullable });
    const int = (name: string): TableColumnOptions => ({ name, type: 'integer', isNullable: false });

    await queryRunner.createTable(
      new Table({
        name: 'threepid_validation_sessions',
        columns: [
          text('sid', 64, { isPrimary: true }),
          text('medium', 16),
          // Canonical form, as in user_threepids.
          text('address', 512),
          // SHA-256 hashes, hex: the client_secret and the tokens themselves are never stored.
          text('client_secret_hash', 64),
          text('pending_key', 64, { isNullable: true }),
          bigint('last_send_attempt'),
          text('next_link', 2048, { isNullable: true }),
          // JSON list of [token hash, issued, expires, delivered], so that a session changes in one statement.
          { name: 'tokens', type: 'text', isNullable: false },
          int('token_failures'),
          bigint('created_at'),
          bigint('validated_at', true),
          bigint('consumed_at', true),
          int('version'),
        ],
        indices: [
          { name: 'uq_threepid_validation_sessions_pending', columnNames: ['pending_key'], isUnique: true },
          { name: 'idx_threepid_validation_sessions_created', columnNames: ['created_at'] },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('threepid_validation_sessions');
  }
}
