/**
 * What IAM's identity provider kinds (OpenID Connect, SAML) share: operations named by the
 * provider's ARN, authorized as iam:<Name> on it with its tags as aws:ResourceTag/k, and
 * Tag<Kind>, Untag<Kind>, List<Kind>Tags. Virtual MFA devices, named by their serial number
 * (their ARN), use the tag operations too (mfa.ts).
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_TagOpenIDConnectProvider.html (and siblings)
 */
import type { ContextValue } from '../../../policy/index.js';
import type { Store, Tag } from '../../../store/ports.js';
import type { Operation, OperationContext } from '../../operation.js';
import { callerAccount, defineIamOperation, type ResolvedAuthorization } from './operation-kit.js';
import { pageFields, paginate } from './pagination.js';
import { mergeTagList, removeTagKeys, resourceTagKeys, validateTagKeys, validateTagList } from './tag-input.js';
import { requestTagKeys, sortedTags } from './tags.js';
import { checkFields, pageRules, type FieldRule } from './validation.js';

export interface ProviderKind<R extends { tags: Tag[] }> {
  /** `OpenIDConnectProvider` in TagOpenIDConnectProvider, ... */
  label: string;
  /** The input member that holds the provider's ARN (`OpenIDConnectProviderArn`). */
  arnMember: string;
  /** The model's check of that member (its wire name in messages). */
  arnRule(v: unknown): FieldRule;
  /** The provider a well-formed ARN names in `accountId`; undefined otherwise (never throws). */
  find(store: Store, accountId: string, arn: unknown): Promise<R | undefined>;
  /** The provider, or IAM's error: InvalidInput for a malformed ARN, NoSuchEntity. */
  require(store: Store, accountId: string, arn: unknown): Promise<R>;
  setTags(store: Store, accountId: string, provider: R, tags: Tag[]): Promise<unknown>;
}

type ArnInput = Record<string, unknown>;
type Empty = Record<string, never>;

/** Authorization of an operation on an existing provider: its ARN, its tags, and request keys. */
export function providerAuthorization<R extends { tags: Tag[] }, I extends ArnInput>(kind: ProviderKind<R>, keys?: (input: I) => Record<string, ContextValue>) {
  const arnOf = (input: I): string => {
    const arn = input[kind.arnMember];
    return typeof arn === 'string' ? arn : '*';
  };
  return {
    resources: (input: I): string[] => [arnOf(input)],
    conditionKeys: (input: I): Record<string, ContextValue> => keys?.(input) ?? {},
    async resolveAuthorization(input: I, ctx: OperationContext): Promise<ResolvedAuthorization> {
      const conditionKeys: Record<string, ContextValue> = { ...(keys?.(input) ?? {}) };
      const account = ctx.caller?.accountId;
      const p = account ? await kind.find(ctx.store, account, input[kind.arnMember]) : undefined;
      if (p) Object.assign(conditionKeys, resourceTagKeys(p.tags));
      return { resources: [arnOf(input)], conditionKeys };
    },
  };
}

/** Tag<Kind>, Untag<Kind>, List<Kind>Tags. */
export function providerTagOperations<R extends { tags: Tag[] }>(kind: ProviderKind<R>): Operation<any, any>[] {
  const arn = (input: ArnInput) => input[kind.arnMember];
  const tag = defineIamOperation<ArnInput & { Tags: Tag[] }, Empty>({
    service: 'iam',
    name: `Tag${kind.label}`,
    ...providerAuthorization<R, ArnInput & { Tags: Tag[] }>(kind, (input) => requestTagKeys(input.Tags)),
    async run(input, ctx) {
      const accountId = callerAccount(ctx);
      checkFields([kind.arnRule(arn(input))]);
      const tags = validateTagList(input.Tags, 'insensitive', true);
      await ctx.store.transaction(async (tx) => {
        const p = await kind.require(tx, accountId, arn(input));
        await kind.setTags(tx, accountId, p, mergeTagList(p.tags, tags, 'insensitive'));
      });
      return {};
    },
  });
  const untag = defineIamOperation<ArnInput & { TagKeys: string[] }, Empty>({
    service: 'iam',
    name: `Untag${kind.label}`,
    ...providerAuthorization<R, ArnInput & { TagKeys: string[] }>(kind, (input): Record<string, ContextValue> => (Array.isArray(input.TagKeys) ? { 'aws:TagKeys': input.TagKeys } : {})),
    async run(input, ctx) {
      const accountId = callerAccount(ctx);
      checkFields([kind.arnRule(arn(input))]);
      const keys = validateTagKeys(input.TagKeys);
      await ctx.store.transaction(async (tx) => {
        const p = await kind.require(tx, accountId, arn(input));
        await kind.setTags(tx, accountId, p, removeTagKeys(p.tags, keys, 'insensitive'));
      });
      return {};
    },
  });
  const list = defineIamOperation<ArnInput & { Marker?: string; MaxItems?: number }, { Tags: Tag[]; IsTruncated: boolean; Marker?: string }>({
    service: 'iam',
    name: `List${kind.label}Tags`,
    ...providerAuthorization<R, ArnInput & { Marker?: string; MaxItems?: number }>(kind),
    async run(input, ctx) {
      checkFields([kind.arnRule(arn(input)), ...pageRules(input)]);
      const p = await kind.require(ctx.store, callerAccount(ctx), arn(input));
      const page = paginate(sortedTags(p.tags), input);
      return { Tags: page.items.map((t) => ({ Key: t.Key, Value: t.Value })), ...pageFields(page) };
    },
  });
  return [tag, untag, list];
}
