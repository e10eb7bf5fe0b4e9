/**
 * IAM OpenID Connect identity providers (0006_oidc_providers): plain rows keyed by (account,
 * url), the url as the ARN writes it. Client ids, thumbprints and tags are JSON arrays; nothing
 * here references other IAM rows (a role's trust policy names a provider by ARN, as in IAM).
 */
import type { OidcProviderRecord, OidcProviderRepo } from '../ports.js';
import { byText, count, dateToText, fromJson, guardConflict, tagsToText, textToDate, toJson } from './codec.js';
import type { SqlContext } from './context.js';
import type { OidcProvidersTable } from './schema.js';

function toRecord(r: OidcProvidersTable): OidcProviderRecord {
  return {
    accountId: r.account_id,
    url: r.url,
    arn: r.arn,
    clientIds: fromJson<string[]>(r.client_ids),
    thumbprints: fromJson<string[]>(r.thumbprints),
    tags: fromJson(r.tags),
    createdAt: textToDate(r.created_at),
  };
}

export function oidcProviderRepo(ctx: SqlContext): OidcProviderRepo {
  async function get(accountId: string, url: string): Promise<OidcProviderRecord | undefined> {
    const r = await ctx.db().selectFrom('oidc_providers').selectAll().where('account_id', '=', accountId).where('url', '=', url).executeTakeFirst();
    return r && toRecord(r);
  }

  return {
    async create(p) {
      await guardConflict(ctx, 'oidc provider', p.url, () =>
        ctx
          .db()
          .insertInto('oidc_providers')
          .values({
            account_id: p.accountId,
            url: p.url,
            arn: p.arn,
            client_ids: toJson([...p.clientIds]),
            thumbprints: toJson([...p.thumbprints]),
            tags: tagsToText(p.tags),
            created_at: dateToText(p.createdAt),
          })
          .execute(),
      );
    },

    get,

    async list(accountId) {
      const rows = await ctx.db().selectFrom('oidc_providers').selectAll().where('account_id', '=', accountId).orderBy(byText(ctx, 'url')).execute();
      return rows.map(toRecord);
    },

    async update(accountId, url, patch) {
      const set: Partial<OidcProvidersTable> = {};
      // null clears a list (as tags do on the other repos).
      if (patch.clientIds !== undefined) set.client_ids = toJson([...(patch.clientIds ?? [])]);
      if (patch.thumbprints !== undefined) set.thumbprints = toJson([...(patch.thumbprints ?? [])]);
      if (patch.tags !== undefined) set.tags = tagsToText(patch.tags);
      // Nothing to write: report whether the provider exists, as the other repos' updates do.
      if (Object.keys(set).length === 0) return (await get(accountId, url)) !== undefined;
      const res = await ctx.db().updateTable('oidc_providers').set(set).where('account_id', '=', accountId).where('url', '=', url).executeTakeFirst();
      return count(res.numUpdatedRows) > 0;
    },

    async delete(accountId, url) {
      const res = await ctx.db().deleteFrom('oidc_providers').where('account_id', '=', accountId).where('url', '=', url).executeTakeFirst();
      return count(res.numDeletedRows) > 0;
    },
  };
}
