/**
 * Tag<Entity>, Untag<Entity> and List<Entity>Tags for an entity kind whose tags live on its
 * record (users, instance profiles), built from one descriptor.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_TagUser.html (and siblings)
 */
import type { Store, Tag } from '../../../store/ports.js';
import { defineOperation, type Operation, type OperationContext } from '../../operation.js';
import { tagKeysKey } from './condition-keys.js';
import { accountOf } from './entities.js';
import { pagedOutput, type Paged } from './paged-output.js';
import type { PageInput } from './pagination.js';
import { mergeTags, removeTags, requestTagKeys, sortedTags, validateTags } from './tags.js';

type Empty = Record<string, never>;
type Named<N extends string> = { [K in N]: string };

export type TagEntityInput<N extends string> = Named<N> & { Tags: Tag[] };
export type UntagEntityInput<N extends string> = Named<N> & { TagKeys: string[] };
export type ListEntityTagsInput<N extends string> = Named<N> & PageInput;

export interface EntityTagDescriptor<N extends string> {
  /** `User` in TagUser / UntagUser / ListUserTags. */
  label: string;
  nameMember: N;
  resource(ctx: OperationContext, name: string): string;
  /** The entity or IAM's NoSuchEntity. */
  lookup(store: Store, accountId: string, name: string): Promise<{ name: string; tags: Tag[] }>;
  /** Stores the entity's new tag set. */
  setTags(store: Store, accountId: string, name: string, tags: Tag[]): Promise<unknown>;
}

/** Tag, Untag, List…Tags, in that order. */
export function entityTagOperations<N extends string>(d: EntityTagDescriptor<N>): Operation<any, any>[] {
  const { label, nameMember } = d;
  const resources = (i: Named<N>, ctx: OperationContext): string[] => [d.resource(ctx, i[nameMember])];
  return [
    defineOperation<TagEntityInput<N>, Empty>({
      service: 'iam',
      name: `Tag${label}`,
      resources,
      conditionKeys: (i) => requestTagKeys(i.Tags),
      async run(i, ctx) {
        const accountId = accountOf(ctx);
        const added = validateTags(i.Tags);
        await ctx.store.transaction(async (tx) => {
          const e = await d.lookup(tx, accountId, i[nameMember]);
          await d.setTags(tx, accountId, e.name, mergeTags(e.tags, added));
        });
        return {};
      },
    }),
    defineOperation<UntagEntityInput<N>, Empty>({
      service: 'iam',
      name: `Untag${label}`,
      resources,
      conditionKeys: (i) => tagKeysKey(i.TagKeys),
      async run(i, ctx) {
        const accountId = accountOf(ctx);
        await ctx.store.transaction(async (tx) => {
          const e = await d.lookup(tx, accountId, i[nameMember]);
          await d.setTags(tx, accountId, e.name, removeTags(e.tags, i.TagKeys ?? []));
        });
        return {};
      },
    }),
    defineOperation<ListEntityTagsInput<N>, { Tags: Tag[] } & Paged>({
      service: 'iam',
      name: `List${label}Tags`,
      resources,
      async run(i, ctx) {
        const e = await d.lookup(ctx.store, accountOf(ctx), i[nameMember]);
        return pagedOutput('Tags', sortedTags(e.tags), i);
      },
    }),
  ];
}
