import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { MoreThanOrEqual, Repository } from 'typeorm';
import { FailedAttemptRepository } from '../domain/ports/failed-attempt.repository';
import { FailedAttemptOrmEntity } from './failed-attempt.orm-entity';
import { deleteInBatches } from '../../database/batched-delete';

@Injectable()
export class TypeOrmFailedAttemptRepository implements FailedAttemptRepository {
  constructor(@InjectRepository(FailedAttemptOrmEntity) private readonly rows: Repository<FailedAttemptOrmEntity>) {}

  async record(accountKey: string, time: number): Promise<string> {
    const attemptId = randomBytes(16).toString('hex');
    await this.rows.insert({ attemptId, accountKey, attemptedAt: time });
    return attemptId;
  }

  async timesSince(accountKey: string, since: number): Promise<number[]> {
    const rows = await this.rows.find({
      select: { attemptedAt: true },
      where: { accountKey, attemptedAt: MoreThanOrEqual(since) },
      order: { attemptedAt: 'ASC' },
    });
    return rows.map((row) => row.attemptedAt);
  }

  async forget(attemptId: string): Promise<void> {
    await this.rows.delete({ attemptId });
  }

  async forgetAccount(accountKey: string): Promise<void> {
    await this.rows.delete({ accountKey });
  }

  async deleteBefore(time: number): Promise<number> {
    return deleteInBatches(this.rows.manager.connection, { table: 'auth_failed_attempts', key: 'attempt_id', timeColumn: 'attempted_at' }, time);
  }
}
