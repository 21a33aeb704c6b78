import { ValueTransformer } from 'typeorm';

/**
 * Timestamps are stored as integer milliseconds in BIGINT columns. MySQL drivers may hand BIGINT
 * back as a string; the domain and the wire format always see a number.
 */
export const msTimestamp: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) => (value === null ? null : Number(value)),
};
