/**
 * Users, groups and roles as owners of inline policies and attachments: name -> unique id on
 * the way in, id -> current name on the way out, and the cleanup when an owner is deleted.
 */
import type { Kysely } from 'kysely';
import { StoreReferenceError, type PrincipalEntityType } from '../ports.js';
import { lower } from './codec.js';
import type { Database } from './schema.js';

const OWNER_TABLE = { user: 'users', group: 'groups', role: 'roles' } as const;

export function isOwnerType(t: string): t is PrincipalEntityType {
  return t === 'user' || t === 'group' || t === 'role';
}

/** The owner's unique id, or undefined when no such entity exists. */
export async function findOwnerId(db: Kysely<Database>, accountId: string, type: PrincipalEntityType, name: string): Promise<string | undefined> {
  // The three tables share these columns; the cast only picks one for the type checker.
  const table = OWNER_TABLE[type] as 'users';
  const row = await db.selectFrom(table).select('id').where('account_id', '=', accountId).where('name_lower', '=', lower(name)).executeTakeFirst();
  return row?.id;
}

export async function requireOwnerId(db: Kysely<Database>, accountId: string, type: PrincipalEntityType, name: string): Promise<string> {
  const id = await findOwnerId(db, accountId, type, name);
  if (id === undefined) throw new StoreReferenceError(type, `${accountId}/${name}`);
  return id;
}

export async function requireUserId(db: Kysely<Database>, accountId: string, name: string): Promise<string> {
  return requireOwnerId(db, accountId, 'user', name);
}

/** Removes what hangs off a user, group or role by id (there is no polymorphic foreign key). */
export async function deleteOwnedRows(db: Kysely<Database>, ownerId: string): Promise<void> {
  await db.deleteFrom('inline_policies').where('owner_id', '=', ownerId).execute();
  await db.deleteFrom('attachments').where('owner_id', '=', ownerId).execute();
}
