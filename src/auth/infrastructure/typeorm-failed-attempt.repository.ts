import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, MoreThanOrEqual, Repository } from 'typeorm';
import { FailedAttemptRepository } from '../domain/ports/failed-attempt.repository';
import { FailedAttemptOrmEntity } from './failed-attempt.orm-entity';

@Injectable()
export class TypeOrmFailedAttemptRepository implements FailedAttemptRepository {
  constructor(@InjectRepository(FailedAttemptOrmEntity) private readonly rows: Repository<FailedAttemptOrmEntity>) {}

  async record(userId: string, time: number): Promise<string> {
    const attemptId = randomBytes(16).toString('hex');
    await this.rows.insert({ attemptId, userId, attemptedAt: time });
    return attemptId;
  }

  async timesSince(userId: string, since: number): Promise<number[]> {
    const rows = await this.rows.find({
      select: { attemptedAt: true },
      where: { userId, attemptedAt: MoreThanOrEqual(since) },
      order: { attemptedAt: 'ASC' },
    });
    return rows.map((row) => row.attemptedAt);
  }

  async forget(attemptId: string): Promise<void> {
    await this.rows.delete({ attemptId });
  }

  async forgetUser(userId: string): Promise<void> {
    await this.rows.delete({ userId });
  }

  async deleteBefore(time: number): Promise<number> {
    const result = await this.rows.delete({ attemptedAt: LessThan(time) });
    return result.affected ?? 0;
  }
}
