import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { runAtomically } from '../../database/atomic';
import { AccessTokenRepository, IssuedAccessToken, StoredAccessToken } from '../domain/ports/access-token.repository';
import { AccessTokenOrmEntity } from './access-token.orm-entity';
import { preparedQuery } from '../../database/prepared-query';

@Injectable()
export class TypeOrmAccessTokenRepository implements AccessTokenRepository {
  constructor(@InjectRepository(AccessTokenOrmEntity) private readonly rows: Repository<AccessTokenOrmEntity>) {}

  /** The device's earlier token goes in the same transaction, so that a device never has two. */
  async saveForDevice(token: IssuedAccessToken): Promise<void> {
    await runAtomically(this.rows.manager.connection, [
      { sql: 'DELETE FROM access_tokens WHERE user_id = ? AND device_id = ?', parameters: [token.userId, token.deviceId] },
      {
        sql: 'INSERT INTO access_tokens (token_hash, user_id, device_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
        parameters: [token.tokenHash, token.userId, token.deviceId, token.createdAt, token.expiresAt ?? null],
      },
    ]);
  }

  /** On every authenticated request (unless remembered): a prepared statement, without the query builder's work per call. */
  async find(tokenHash: string): Promise<StoredAccessToken | undefined> {
    const [row] = await preparedQuery<{ user_id: string; device_id: string; expires_at: string | number | null }>(
      this.rows.manager.connection,
      'SELECT user_id, device_id, expires_at FROM access_tokens WHERE token_hash = ?',
      [tokenHash],
    );
    return row ? { userId: row.user_id, deviceId: row.device_id, expiresAt: row.expires_at === null ? undefined : Number(row.expires_at) } : undefined;
  }

  async revokeDevice(userId: string, deviceId: string): Promise<void> {
    await this.rows.delete({ userId, deviceId });
  }

  async revokeUser(userId: string): Promise<void> {
    await this.rows.delete({ userId });
  }
}
