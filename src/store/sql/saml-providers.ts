/**
 * IAM SAML 2.0 identity providers (0007_saml_providers): plain rows keyed by (account, name).
 * The metadata document is stored as uploaded; tags are a JSON array. Nothing here references
 * other IAM rows (a role's trust policy names a provider by ARN, as in IAM).
 */
import type { SamlProviderRecord, SamlProviderRepo } from '../ports.js';
import { byText, count, dateToText, fromJson, guardConflict, required, tagsToText, textToDate } from './codec.js';
import type { SqlContext } from './context.js';
import type { SamlProvidersTable } from './schema.js';

function toRecord(r: SamlProvidersTable): SamlProviderRecord {
  return {
    accountId: r.account_id,
    name: r.name,
    arn: r.arn,
    metadataDocument: r.metadata_document,
    uuid: r.uuid,
    createdAt: textToDate(r.created_at),
    validUntil: textToDate(r.valid_until),
    tags: fromJson(r.tags),
  };
}

export function samlProviderRepo(ctx: SqlContext): SamlProviderRepo {
  async function get(accountId: string, name: string): Promise<SamlProviderRecord | undefined> {
    const r = await ctx.db().selectFrom('saml_providers').selectAll().where('account_id', '=', accountId).where('name', '=', name).executeTakeFirst();
    return r && toRecord(r);
  }

  return {
    async create(p) {
      await guardConflict(ctx, 'saml provider', p.name, () =>
        ctx
          .db()
          .insertInto('saml_providers')
          .values({
            account_id: p.accountId,
            name: p.name,
            arn: p.arn,
            metadata_document: p.metadataDocument,
            uuid: p.uuid,
            created_at: dateToText(p.createdAt),
            valid_until: dateToText(p.validUntil),
            tags: tagsToText(p.tags),
          })
          .execute(),
      );
    },

    get,

    async list(accountId) {
      const rows = await ctx.db().selectFrom('saml_providers').selectAll().where('account_id', '=', accountId).orderBy(byText(ctx, 'name')).execute();
      return rows.map(toRecord);
    },

    async update(accountId, name, patch) {
      const set: Partial<SamlProvidersTable> = {};
      if (patch.metadataDocument !== undefined) set.metadata_document = required('metadataDocument', patch.metadataDocument);
      if (patch.validUntil !== undefined) set.valid_until = dateToText(required('validUntil', patch.validUntil));
      // null clears the tags (as on the other repos).
      if (patch.tags !== undefined) set.tags = tagsToText(patch.tags);
      // Nothing to write: report whether the provider exists, as the other repos' updates do.
      if (Object.keys(set).length === 0) return (await get(accountId, name)) !== undefined;
      const res = await ctx.db().updateTable('saml_providers').set(set).where('account_id', '=', accountId).where('name', '=', name).executeTakeFirst();
      return count(res.numUpdatedRows) > 0;
    },

    async delete(accountId, name) {
      const res = await ctx.db().deleteFrom('saml_providers').where('account_id', '=', accountId).where('name', '=', name).executeTakeFirst();
      return count(res.numDeletedRows) > 0;
    },
  };
}
