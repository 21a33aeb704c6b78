import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { UiaSessionConflictError, UiaSessionRepository } from '../domain/ports/uia-session.repository';
import { UiaSession, UiaSessionState } from '../domain/uia-session';
import { UiaSessionOrmEntity } from './uia-session.orm-entity';
import { deleteInBatches } from '../../database/batched-delete';

/** Every operation is a single statement, atomic on its own. */
@Injectable()
export class TypeOrmUiaSessionRepository implements UiaSessionRepository {
  constructor(@InjectRepository(UiaSessionOrmEntity) private readonly rows: Repository<UiaSessionOrmEntity>) {}

  async findById(id: string): Promise<UiaSession | undefined> {
    const row = await this.rows.findOneBy({ sessionId: id });
    return row ? toDomain(row) : undefined;
  }

  async insert(session: UiaSession): Promise<void> {
    await this.rows.insert(toRow(session.snapshot()));
  }

  async save(session: UiaSession): Promise<void> {
    const { sessionId, version, ...changes } = toRow(session.snapshot());
    const result = await this.rows.update({ sessionId, version }, { ...changes, version: version + 1 });
    if (result.affected !== 1) throw new UiaSessionConflictError();
  }

  async delete(id: string): Promise<void> {
    await this.rows.delete({ sessionId: id });
  }

  async keepNewest(userId: string, count: number): Promise<void> {
    // A user has a handful of sessions at most (this keeps it so); MySQL has no OFFSET without LIMIT.
    const sessions = await this.rows.find({ select: { sessionId: true }, where: { userId }, order: { createdAt: 'DESC' } });
    const older = sessions.slice(count).map((row) => row.sessionId);
    if (older.length > 0) await this.rows.delete({ sessionId: In(older) });
  }

  async deleteCreatedBefore(time: number): Promise<number> {
    return deleteInBatches(this.rows.manager.connection, { table: 'uia_sessions', key: 'session_id', timeColumn: 'created_at' }, time);
  }
}

function toRow(state: UiaSessionState): UiaSessionOrmEntity {
  return {
    sessionId: state.id,
    userId: state.userId,
    requestHash: state.requestHash,
    completed: state.completed,
    createdAt: state.createdAt,
    claimedAt: state.claimedAt ?? null,
    version: state.version,
  };
}

function toDomain(row: UiaSessionOrmEntity): UiaSession {
  return UiaSession.restore({
    id: row.sessionId,
    userId: row.userId,
    requestHash: row.requestHash,
    completed: row.completed,
    createdAt: row.createdAt,
    claimedAt: row.claimedAt ?? undefined,
    version: row.version,
  });
}
