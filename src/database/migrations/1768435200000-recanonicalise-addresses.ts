import { Logger } from '@nestjs/common';
import { MigrationInterface, QueryRunner, Table } from 'typeorm';
import { sha256Hex } from '../../common/sha256';
import { isMedium } from '../../threepid/domain/medium';
import { canonicalAddress } from '../../threepid/domain/three-pid-address';
import { binaryCollation, textColumn } from './columns';

/** Where rows left as they were are listed, for an operator to resolve. */
export const CANONICALISATION_REPORT = 'threepid_canonicalisation_report';

/** Why a row keeps its stored address. */
export type LeftAsItWas = 'collision' | 'no canonical form';

/** Rows read per statement, so that a large table is never held in memory at once. */
const PAGE_ROWS = 1000;

interface StoredAddress {
  /** The row's primary key, in the order of the table's key columns. */
  key: string[];
  medium: string;
  address: string;
  userId: string | null;
  /** The table's other columns this migration reads. */
  other: Record<string, string>;
}

/** One table whose addresses are re-canonicalised, and how its rows are named and changed. */
interface AddressTable {
  name: string;
  keyColumns: string[];
  userColumn?: string;
  otherColumns?: string[];
  /** Only these rows (sessions already used to add their address are history). */
  where?: string;
  /** The row's primary key once its address is `canonical` (bindings are keyed by a hash of their address). */
  keyAfter(row: StoredAddress, canonical: string): string[];
  /** The statement that moves the row to `canonical`, with its parameters. */
  update(row: StoredAddress, canonical: string): [string, unknown[]];
}

const TABLES: AddressTable[] = [
  {
    name: 'user_threepids',
    keyColumns: ['medium', 'address'],
    userColumn: 'user_id',
    keyAfter: (row, canonical) => [row.medium, canonical],
    update: (row, canonical) => ['UPDATE user_threepids SET address = ? WHERE medium = ? AND address = ?', [canonical, row.medium, row.address]],
  },
  {
    name: 'threepid_bindings',
    keyColumns: ['binding_key'],
    userColumn: 'user_id',
    otherColumns: ['id_server'],
    keyAfter: (row, canonical) => [bindingKey(row, canonical)],
    update: (row, canonical) => [
      'UPDATE threepid_bindings SET address = ?, binding_key = ? WHERE binding_key = ?',
      [canonical, bindingKey(row, canonical), row.key[0]],
    ],
  },
  {
    name: 'threepid_validation_sessions',
    keyColumns: ['sid'],
    where: 'consumed_at IS NULL',
    keyAfter: (row) => row.key,
    // The pending key hashes the old address with a client_secret this server never stored: a
    // repeated requestToken, which canonicalises anew, starts a new session; this one still
    // validates by its sid and token, and adds the canonical address.
    update: (row, canonical) => ['UPDATE threepid_validation_sessions SET address = ?, pending_key = NULL WHERE sid = ?', [canonical, row.key[0]]],
  },
];

/**
 * Re-canonicalises the stored addresses (user_threepids, threepid_bindings, and validation sessions
 * not yet used) with the application's canonicalAddress, now that canonical forms are fixed points:
 * an address stored by an older fold (`groß@…` for `groẞ@…`) or before domains were mapped
 * (`someone@ｅxample.org`) is moved to the form every lookup now computes. A row whose canonical
 * form another row has (or would have), or that has none any more, is never merged or dropped: it
 * stays as it is, a warning names its table, medium and user, and `threepid_canonicalisation_report`
 * lists it with its addresses, for an operator to resolve (delete one, say).
 */
export class RecanonicaliseAddresses1768435200000 implements MigrationInterface {
  name = 'RecanonicaliseAddresses1768435200000';

  private readonly logger = new Logger('Migrations');

  async up(queryRunner: QueryRunner): Promise<void> {
    const text = textColumn(await binaryCollation(queryRunner));
    await queryRunner.createTable(
      new Table({
        name: CANONICALISATION_REPORT,
        columns: [
          // SHA-256, hex, of the table and the row's key: one entry per row left as it was.
          text('report_key', 64, { isPrimary: true }),
          text('table_name', 64),
          text('medium', 16),
          text('stored_address', 512),
          text('canonical_address', 512, { isNullable: true }),
          text('user_id', 255, { isNullable: true }),
          text('reason', 32),
          { name: 'reported_at', type: 'bigint', isNullable: false },
        ],
      }),
    );

    let moved = 0;
    let left = 0;
    for (const table of TABLES) {
      const changes = await this.readChanges(queryRunner, table);
      const claims = new Map<string, StoredAddress[]>();
      for (const change of changes.filter((row) => row.canonical !== undefined)) {
        const target = table.keyAfter(change.row, change.canonical!).join('\0');
        claims.set(target, [...(claims.get(target) ?? []), change.row]);
      }
      for (const { row, canonical } of changes) {
        const target = canonical === undefined ? undefined : table.keyAfter(row, canonical);
        const collides =
          target !== undefined &&
          (claims.get(target.join('\0'))!.length > 1 || (target.join('\0') !== row.key.join('\0') && (await this.exists(queryRunner, table, target))));
        if (canonical !== undefined && !collides) {
          const [sql, parameters] = table.update(row, canonical);
          await queryRunner.query(sql, parameters);
          moved += 1;
          continue;
        }
        const reason: LeftAsItWas = canonical === undefined ? 'no canonical form' : 'collision';
        await this.report(queryRunner, table, row, canonical, reason);
        left += 1;
      }
    }
    if (moved > 0 || left > 0) {
      this.logger.log(`Re-canonicalised ${moved} stored addresses; ${left} left as they were, listed in ${CANONICALISATION_REPORT}`);
    }
  }

  /** The addresses are not changed back: their old forms are not canonical. */
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable(CANONICALISATION_REPORT);
  }

  /** The rows whose stored address is not its canonical form, with that form (undefined: it has none). */
  private async readChanges(queryRunner: QueryRunner, table: AddressTable): Promise<{ row: StoredAddress; canonical?: string }[]> {
    const changes: { row: StoredAddress; canonical?: string }[] = [];
    const columns = [...table.keyColumns, 'medium', 'address', ...(table.userColumn ? [table.userColumn] : []), ...(table.otherColumns ?? [])];
    const keyList = table.keyColumns.join(', ');
    let after: string[] | undefined;
    for (;;) {
      // Keyset pagination over the primary key: byte order on every database (binary collations).
      const conditions = [table.where, after && `(${keyList}) > (${table.keyColumns.map(() => '?').join(', ')})`].filter(Boolean);
      const rows: Record<string, string>[] = await queryRunner.query(
        `SELECT ${[...new Set(columns)].join(', ')} FROM ${table.name}${conditions.length ? ` WHERE ${conditions.join(' AND ')}` : ''} ` +
          `ORDER BY ${keyList} LIMIT ${PAGE_ROWS}`,
        after ?? [],
      );
      for (const raw of rows) {
        const row: StoredAddress = {
          key: table.keyColumns.map((column) => raw[column]),
          medium: raw.medium,
          address: raw.address,
          userId: table.userColumn ? raw[table.userColumn] : null,
          other: Object.fromEntries((table.otherColumns ?? []).map((column) => [column, raw[column]])),
        };
        const canonical = canonicalOrUndefined(row.medium, row.address);
        if (canonical !== row.address) changes.push({ row, canonical });
      }
      if (rows.length < PAGE_ROWS) return changes;
      after = table.keyColumns.map((column) => rows.at(-1)![column]);
    }
  }

  private async exists(queryRunner: QueryRunner, table: AddressTable, key: string[]): Promise<boolean> {
    const where = table.keyColumns.map((column) => `${column} = ?`).join(' AND ');
    return (await queryRunner.query(`SELECT 1 AS found FROM ${table.name} WHERE ${where}`, key)).length > 0;
  }

  private async report(queryRunner: QueryRunner, table: AddressTable, row: StoredAddress, canonical: string | undefined, reason: LeftAsItWas): Promise<void> {
    this.logger.warn(
      { table: table.name, medium: row.medium, userId: row.userId ?? undefined, reason },
      `A stored address was left in a form that is not canonical (${reason}); see ${CANONICALISATION_REPORT}`,
    );
    await queryRunner.query(
      `INSERT INTO ${CANONICALISATION_REPORT} (report_key, table_name, medium, stored_address, canonical_address, user_id, reason, reported_at) ` +
        'VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [sha256Hex([table.name, ...row.key].join('\0')), table.name, row.medium, row.address, canonical ?? null, row.userId, reason, Date.now()],
    );
  }
}

function canonicalOrUndefined(medium: string, address: string): string | undefined {
  if (!isMedium(medium)) return undefined;
  try {
    return canonicalAddress(medium, address);
  } catch {
    return undefined;
  }
}

/** How threepid_bindings keys its rows (TypeOrmThreePidBindingRepository), as of this migration. */
function bindingKey(row: StoredAddress, address: string): string {
  return sha256Hex([row.userId, row.medium, address, row.other.id_server].join('\0'));
}
