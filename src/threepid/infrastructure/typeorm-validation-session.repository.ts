import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { isUniqueViolation } from '../../database/unique-violation';
import { Medium } from '../domain/medium';
import { ValidationSessionConflictError, ValidationSessionRepository } from '../domain/ports/validation-session.repository';
import { ValidationSession, ValidationSessionState } from '../domain/validation-session';
import { ValidationSessionOrmEntity } from './validation-session.orm-entity';
import { deleteInBatches } from '../../database/batched-delete';

/** Every operation is a single statement, so none needs a transaction and each is atomic on its own. */
@Injectable()
export class TypeOrmValidationSessionRepository implements ValidationSessionRepository {
  constructor(@InjectRepository(ValidationSessionOrmEntity) private readonly rows: Repository<ValidationSessionOrmEntity>) {}

  async findBySid(sid: string): Promise<ValidationSession | undefined> {
    const row = await this.rows.findOneBy({ sid });
    return row ? toDomain(row) : undefined;
  }

  async findPending(pendingKey: string): Promise<ValidationSession | undefined> {
    const row = await this.rows.findOneBy({ pendingKey });
    return row ? toDomain(row) : undefined;
  }

  async insert(session: ValidationSession): Promise<void> {
    try {
      await this.rows.insert(toRow(session.snapshot()));
    } catch (error) {
      if (isUniqueViolation(error)) throw new ValidationSessionConflictError();
      throw error;
    }
  }

  async save(session: ValidationSession): Promise<void> {
    const state = session.snapshot();
    const { sid, version, ...changes } = toRow(state);
    let affected: number | undefined;
    try {
      affected = (await this.rows.update({ sid, version }, { ...changes, version: version + 1 })).affected;
    } catch (error) {
      // Pending again, while another session took its pending key meanwhile.
      if (isUniqueViolation(error)) throw new ValidationSessionConflictError();
      throw error;
    }
    if (affected !== 1) throw new ValidationSessionConflictError();
  }

  async delete(sid: string): Promise<void> {
    await this.rows.delete({ sid });
  }

  async deleteIfUnchanged(session: ValidationSession): Promise<boolean> {
    const { sid, version } = session.snapshot();
    const result = await this.rows.delete({ sid, version });
    return result.affected === 1;
  }

  async deleteCreatedBefore(time: number): Promise<number> {
    return deleteInBatches(this.rows.manager.connection, { table: 'threepid_validation_sessions', key: 'sid', timeColumn: 'created_at' }, time);
  }
}

function toRow(state: ValidationSessionState): ValidationSessionOrmEntity {
  return {
    sid: state.sid,
    medium: state.medium,
    address: state.address,
    clientSecretHash: state.clientSecretHash,
    pendingKey: state.pendingKey ?? null,
    lastSendAttempt: state.lastSendAttempt,
    nextLink: state.nextLink ?? null,
    tokens: state.tokens,
    tokenFailures: state.tokenFailures,
    createdAt: state.createdAt,
    validatedAt: state.validatedAt ?? null,
    validatedBy: state.validatedBy ?? null,
    consumedAt: state.consumedAt ?? null,
    version: state.version,
  };
}

function toDomain(row: ValidationSessionOrmEntity): ValidationSession {
  return ValidationSession.restore({
    sid: row.sid,
    medium: row.medium as Medium,
    address: row.address,
    clientSecretHash: row.clientSecretHash,
    pendingKey: row.pendingKey ?? undefined,
    lastSendAttempt: row.lastSendAttempt,
    nextLink: row.nextLink ?? undefined,
    tokens: row.tokens.map((token) => ({ ...token, sendAttempt: token.sendAttempt ?? row.lastSendAttempt })),
    tokenFailures: row.tokenFailures,
    createdAt: row.createdAt,
    validatedAt: row.validatedAt ?? undefined,
    validatedBy: row.validatedBy ?? undefined,
    consumedAt: row.consumedAt ?? undefined,
    version: row.version,
  });
}
