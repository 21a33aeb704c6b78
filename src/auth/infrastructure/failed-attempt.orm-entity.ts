import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { msTimestamp } from '../../database/ms-timestamp.transformer';
import { UserOrmEntity } from './user.orm-entity';

@Entity('auth_failed_attempts')
@Index('idx_auth_failed_attempts_user_time', ['userId', 'attemptedAt'])
@Index('idx_auth_failed_attempts_time', ['attemptedAt'])
export class FailedAttemptOrmEntity {
  @PrimaryColumn({ name: 'attempt_id', type: 'varchar', length: 32 })
  attemptId!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 255 })
  userId!: string;

  @ManyToOne(() => UserOrmEntity, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_auth_failed_attempts_user' })
  user?: UserOrmEntity;

  @Column({ name: 'attempted_at', type: 'bigint', transformer: msTimestamp })
  attemptedAt!: number;
}
