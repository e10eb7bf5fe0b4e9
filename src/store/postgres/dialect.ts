/** The PostgreSQL specifics the shared query layer asks about (constraint violations, retries, order). */
import type { SqlDialectHooks } from '../sql/context.js';
import { sqlState } from './errors.js';

export const postgresHooks: SqlDialectHooks = {
  isUniqueViolation: (err) => sqlState(err) === '23505',
  isForeignKeyViolation: (err) => sqlState(err) === '23503',
  // serialization_failure, deadlock_detected: PostgreSQL rolled the transaction back.
  isTransient: (err) => {
    const s = sqlState(err);
    return s === '40001' || s === '40P01';
  },
  // Code-point order whatever the database's default collation (en_US, ICU, ...).
  binaryCollation: 'C',
  skipLocked: true,
};
