import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserOrmEntity } from '../../auth/infrastructure/user.orm-entity';
import { msTimestamp } from '../../database/ms-timestamp.transformer';

@Entity('user_threepids')
@Index('idx_user_threepids_user', ['userId'])
export class ThreePidOrmEntity {
  @PrimaryColumn({ type: 'varchar', length: 16 })
  medium!: string;

  @PrimaryColumn({ type: 'varchar', length: 512 })
  address!: string;

  @Column({ name: 'user_id', type: 'varchar', length: 255 })
  userId!: string;

  /** Deleting an account deletes its 3PIDs. */
  @ManyToOne(() => UserOrmEntity, { onDelete: 'CASCADE', onUpdate: 'NO ACTION' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_user_threepids_user' })
  user?: UserOrmEntity;

  @Column({ name: 'validated_at', type: 'bigint', transformer: msTimestamp })
  validatedAt!: number;

  @Column({ name: 'added_at', type: 'bigint', transformer: msTimestamp })
  addedAt!: number;
}
