import { Column, Entity, Index, PrimaryColumn, ValueTransformer } from 'typeorm';
import { msTimestamp } from '../../database/ms-timestamp.transformer';
import type { ValidationTokenRecord } from '../domain/validation-session';

/** Token hashes live in their session's row, so that every change to a session is one statement. */
const tokenList: ValueTransformer = {
  to: (tokens: ValidationTokenRecord[]) =>
    JSON.stringify(tokens.map(({ hash, issuedAt, expiresAt, delivered, sendAttempt }) => [hash, issuedAt, expiresAt, delivered ? 1 : 0, sendAttempt])),
  /** Tokens stored before their send_attempt was have none: the repository gives them the session's last. */
  from: (text: string) =>
    (JSON.parse(text) as [string, number, number, number, number?][]).map(([hash, issuedAt, expiresAt, delivered, sendAttempt]) => ({
      hash,
      issuedAt,
      expiresAt,
      delivered: delivered === 1,
      sendAttempt,
    })),
};

@Entity('threepid_validation_sessions')
@Index('idx_threepid_validation_sessions_created', ['createdAt'])
export class ValidationSessionOrmEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  sid!: string;

  @Column({ type: 'varchar', length: 16 })
  medium!: string;

  @Column({ type: 'varchar', length: 512 })
  address!: string;

  @Column({ name: 'client_secret_hash', type: 'varchar', length: 64 })
  clientSecretHash!: string;

  /** Unique, so that concurrent requests cannot open two unvalidated sessions for one address and secret. */
  @Index('uq_threepid_validation_sessions_pending', { unique: true })
  @Column({ name: 'pending_key', type: 'varchar', length: 64, nullable: true })
  pendingKey!: string | null;

  @Column({ name: 'last_send_attempt', type: 'bigint', transformer: msTimestamp })
  lastSendAttempt!: number;

  @Column({ name: 'next_link', type: 'varchar', length: 2048, nullable: true })
  nextLink!: string | null;

  @Column({ type: 'text', transformer: tokenList })
  tokens!: (Omit<ValidationTokenRecord, 'sendAttempt'> & { sendAttempt?: number })[];

  @Column({ name: 'token_failures', type: 'integer' })
  tokenFailures!: number;

  @Column({ name: 'created_at', type: 'bigint', transformer: msTimestamp })
  createdAt!: number;

  @Column({ name: 'validated_at', type: 'bigint', nullable: true, transformer: msTimestamp })
  validatedAt!: number | null;

  @Column({ name: 'validated_by', type: 'varchar', length: 64, nullable: true })
  validatedBy!: string | null;

  @Column({ name: 'consumed_at', type: 'bigint', nullable: true, transformer: msTimestamp })
  consumedAt!: number | null;

  @Column({ type: 'integer' })
  version!: number;
}
