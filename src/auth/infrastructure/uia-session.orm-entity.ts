import { Column, Entity, Index, PrimaryColumn, ValueTransformer } from 'typeorm';
import { msTimestamp } from '../../database/ms-timestamp.transformer';

const stageList: ValueTransformer = {
  to: (stages: string[]) => JSON.stringify(stages),
  from: (text: string) => JSON.parse(text) as string[],
};

@Entity('uia_sessions')
@Index('idx_uia_sessions_created', ['createdAt'])
@Index('idx_uia_sessions_user', ['userId'])
export class UiaSessionOrmEntity {
  @PrimaryColumn({ name: 'session_id', type: 'varchar', length: 64 })
  sessionId!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 255 })
  userId!: string;

  @Column({ name: 'request_hash', type: 'varchar', length: 64 })
  requestHash!: string;

  @Column({ type: 'varchar', length: 1024, transformer: stageList })
  completed!: string[];

  @Column({ name: 'created_at', type: 'bigint', transformer: msTimestamp })
  createdAt!: number;

  @Column({ name: 'claimed_at', type: 'bigint', nullable: true, transformer: msTimestamp })
  claimedAt!: number | null;

  @Column({ type: 'integer' })
  version!: number;
}
