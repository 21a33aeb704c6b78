import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { runAtomically } from '../../database/atomic';
import { isUniqueViolation } from '../../database/unique-violation';
import { Medium } from '../domain/medium';
import { ThreePidRepository } from '../domain/ports/three-pid.repository';
import { ValidationSessionConflictError } from '../domain/ports/validation-session.repository';
import { ThreePid } from '../domain/three-pid';
import { ThreePidInUseError } from '../domain/three-pid.errors';
import { ValidationSession } from '../domain/validation-session';
import { ThreePidOrmEntity } from './three-pid.orm-entity';
import { preparedQuery } from '../../database/prepared-query';

@Injectable()
export class TypeOrmThreePidRepository implements ThreePidRepository {
  constructor(@InjectRepository(ThreePidOrmEntity) private readonly rows: Repository<ThreePidOrmEntity>) {}

  /** GET /account/3pid: plain SQL on the user index, without the query builder's work per call. */
  async findByUser(userId: string): Promise<ThreePid[]> {
    const rows = await preparedQuery<{ medium: string; address: string; validated_at: number | string; added_at: number | string }>(
      this.rows.manager.connection,
      'SELECT medium, address, validated_at, added_at FROM user_threepids WHERE user_id = ? ORDER BY added_at, medium, address',
      [userId],
    );
    return rows.map((row) => new ThreePid(userId, row.medium as Medium, row.address, Number(row.validated_at), Number(row.added_at)));
  }

  async isInUse(medium: Medium, address: string): Promise<boolean> {
    return this.rows.exists({ where: { medium, address } });
  }

  async findOwner(medium: Medium, address: string): Promise<string | undefined> {
    const row = await this.rows.findOne({ select: { userId: true }, where: { medium, address } });
    return row?.userId;
  }

  async add(threePid: ThreePid): Promise<void> {
    try {
      await this.rows.insert({ ...threePid });
    } catch (error) {
      if (isUniqueViolation(error)) throw new ThreePidInUseError();
      throw error;
    }
  }

  async addConsumingSession(threePid: ThreePid, session: ValidationSession): Promise<void> {
    const { sid, version, consumedAt } = session.snapshot();
    try {
      // The address's primary key decides between concurrent adds: exactly one insert succeeds.
      await runAtomically(
        this.rows.manager.connection,
        [
          {
            sql: 'UPDATE threepid_validation_sessions SET consumed_at = ?, version = ? WHERE sid = ? AND version = ?',
            parameters: [consumedAt ?? null, version + 1, sid, version],
          },
          {
            sql: 'INSERT INTO user_threepids (medium, address, user_id, validated_at, added_at) VALUES (?, ?, ?, ?, ?)',
            parameters: [threePid.medium, threePid.address, threePid.userId, threePid.validatedAt, threePid.addedAt],
          },
        ],
        (statement, affectedRows) => {
          if (statement === 0 && affectedRows !== 1) throw new ValidationSessionConflictError();
        },
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw new ThreePidInUseError();
      throw error;
    }
  }

  async remove(userId: string, medium: Medium, address: string): Promise<boolean> {
    const result = await this.rows.delete({ userId, medium, address });
    return result.affected === 1;
  }
}
