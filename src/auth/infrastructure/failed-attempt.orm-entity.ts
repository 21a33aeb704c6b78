import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { msTimestamp } from '../../database/ms-timestamp.transformer';

/** No foreign key to users: attempts on user IDs that do not exist are counted too. */
@Entity('auth_failed_attempts')
@Index('idx_auth_failed_attempts_account_time', ['accountKey', 'attemptedAt'])
@Index('idx_auth_failed_attempts_time', ['attemptedAt'])
export class FailedAttemptOrmEntity {
  @PrimaryColumn({ name: 'attempt_id', type: 'varchar', length: 32 })
  attemptId!: string;

  @Column({ name: 'account_key', type: 'varchar', length: 255 })
  accountKey!: string;

  @Column({ name: 'attempted_at', type: 'bigint', transformer: msTimestamp })
  attemptedAt!: number;
}
