import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';
import { binaryCollation, textColumn } from './columns';

/**
 * Which token validated a session (its SHA-256, as the token list keeps it), so that taking back a
 * token whose message could not be sent also undoes a validation made with it. Sessions validated
 * before have none, and stay as they are.
 */
export class RecordValidatingToken1768521600000 implements MigrationInterface {
  name = 'RecordValidatingToken1768521600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const text = textColumn(await binaryCollation(queryRunner));
    await queryRunner.addColumn('threepid_validation_sessions', new TableColumn(text('validated_by', 64, { isNullable: true })));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('threepid_validation_sessions', 'validated_by');
  }
}
