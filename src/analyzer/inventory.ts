/**
 * The inventory snapshot who-can-assume works on: every account, IAM user and role with their
 * policies, as plain data. The CLI builds it from the store; tests and benchmarks build it by
 * hand. Policies are parsed models (or JSON text), as the engine takes them.
 */
import type { NamedPolicy } from '../policy/index.js';

export interface InventoryTag {
  Key: string;
  Value: string;
}

interface InventoryEntity {
  accountId: string;
  name: string;
  /** Unique id (AIDA… / AROA…). */
  id: string;
  arn: string;
  tags: InventoryTag[];
  /** Identity policies: inline, attached managed and (users) group policies. */
  policies: NamedPolicy[];
  boundary?: NamedPolicy;
}

export interface InventoryUser extends InventoryEntity {
  /** The user has an enabled MFA device (so requests with MFA are possible). */
  mfaEnabled: boolean;
}

export interface InventoryRole extends InventoryEntity {
  path: string;
  /** The trust policy as IAM evaluates it (deleted principals already replaced by their unique ids). */
  trustPolicy: string | object;
  maxSessionDuration: number;
}

export interface Inventory {
  accounts: string[];
  users: InventoryUser[];
  roles: InventoryRole[];
}
