/**
 * IAM OpenID Connect identity providers: CreateOpenIDConnectProvider, GetOpenIDConnectProvider,
 * ListOpenIDConnectProviders, DeleteOpenIDConnectProvider, AddClientIDToOpenIDConnectProvider,
 * RemoveClientIDFromOpenIDConnectProvider, UpdateOpenIDConnectProviderThumbprint,
 * TagOpenIDConnectProvider, UntagOpenIDConnectProvider, ListOpenIDConnectProviderTags.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html (and siblings)
 *
 * A provider is named by its issuer url (shared/oidc.ts): `https://Host/path/` is kept as
 * `host/path`, which is also its ARN's resource part and what GetOpenIDConnectProvider returns.
 *
 * Error texts are IAM's as recorded against AWS (2026): "Provider with url https://X already
 * exists." (EntityAlreadyExists, 409), "OpenIDConnect Provider not found for arn ARN"
 * (NoSuchEntity, 404; DeleteOpenIDConnectProvider: "OpenId connect Provider ARN cannot be
 * found."), "Invalid Open ID Connect Provider URL" (ValidationError, 400), "Thumbprint list must
 * contain fewer than 5 entries." (InvalidInput), "Cannot exceed quota for
 * ClientIdsPerOpenIdConnectProvider: 100" (LimitExceeded, 409). Not confirmed against AWS: the
 * wording for a malformed ARN and a non-hexadecimal thumbprint, and the providers-per-account
 * quota message.
 *
 * Every operation is authorized as iam:<Name> on the provider's ARN (CreateOpenIDConnectProvider
 * on the ARN it would get), with the provider's tags as aws:ResourceTag/k and a request's tags as
 * aws:RequestTag/k and aws:TagKeys.
 */
import { AwsError } from '../../domain/aws-error.js';
import type { ContextValue } from '../../policy/index.js';
import { StoreConflictError, type OidcProviderRecord, type Store, type Tag } from '../../store/ports.js';
import type { Operation } from '../operation.js';
import { callerAccount, defineIamOperation } from './shared/operation-kit.js';
import { normalizeOidcUrl, oidcProviderArn, parseOidcProviderArn } from './shared/oidc.js';
import { oidcProviderResource } from './shared/resource-arns.js';
import { validateTagList } from './shared/tag-input.js';
import { requestTagKeys } from './shared/tags.js';
import { providerAuthorization as sharedProviderAuthorization, providerTagOperations, type ProviderKind } from './shared/provider-operations.js';
import { checkFields, rules, type FieldRule } from './shared/validation.js';

/** IAM quotas: client ids per provider (ClientIdsPerOpenIdConnectProvider), thumbprints, providers per account. */
export const CLIENT_IDS_PER_PROVIDER = 100;
export const THUMBPRINTS_PER_PROVIDER = 5;
export const OIDC_PROVIDERS_PER_ACCOUNT = 100;

type Empty = Record<string, never>;

// ------------------------------------------------------------------------------ validation

const urlRule = (v: unknown): FieldRule => ({ name: 'url', value: v, required: true, minLength: 1, maxLength: 255 });
const clientIdRule = (name: string, v: unknown): FieldRule => ({ name, value: v, required: true, minLength: 1, maxLength: 255 });
const thumbprintRule = (name: string, v: unknown): FieldRule => ({ name, value: v, required: true, minLength: 40, maxLength: 40 });
const arnRule = (v: unknown): FieldRule => rules.arn('openIDConnectProviderArn', v);

/** The model's member checks of a list (`clientIDList.1.member`...), as the wire layer words them. */
function listRules(name: string, v: unknown, rule: (name: string, v: unknown) => FieldRule): FieldRule[] {
  return Array.isArray(v) ? v.map((x, i) => rule(`${name}.${i + 1}.member`, x)) : [];
}

function invalidUrl(): AwsError {
  return new AwsError('ValidationError', 'Invalid Open ID Connect Provider URL');
}

function clientIdQuota(): AwsError {
  return new AwsError('LimitExceeded', `Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: ${CLIENT_IDS_PER_PROVIDER}`);
}

/** Client ids in the order given, duplicates dropped. */
function checkClientIds(list: string[]): string[] {
  const out = [...new Set(list)];
  if (out.length > CLIENT_IDS_PER_PROVIDER) throw clientIdQuota();
  return out;
}

/** At most five thumbprints of 40 hexadecimal digits, kept lowercase, duplicates dropped. */
function checkThumbprints(list: string[]): string[] {
  if (list.length > THUMBPRINTS_PER_PROVIDER) throw new AwsError('InvalidInput', `Thumbprint list must contain fewer than ${THUMBPRINTS_PER_PROVIDER} entries.`);
  for (const t of list) {
    if (!/^[0-9a-fA-F]{40}$/.test(t)) throw new AwsError('InvalidInput', `Thumbprint ${t} is not valid: it must be 40 hexadecimal characters.`);
  }
  return [...new Set(list.map((t) => t.toLowerCase()))];
}

// ------------------------------------------------------------------------------ lookups

function notFound(arn: string): AwsError {
  return new AwsError('NoSuchEntity', `OpenIDConnect Provider not found for arn ${arn}`);
}

/**
 * The provider a request's ARN names in the caller's account. A malformed ARN is InvalidInput; a
 * well-formed ARN of another account, or of no provider, is not found.
 */
async function requireProvider(store: Store, accountId: string, arn: unknown, missing: (arn: string) => AwsError = notFound): Promise<OidcProviderRecord> {
  checkFields([arnRule(arn)]);
  const parts = parseOidcProviderArn(arn);
  if (!parts) throw new AwsError('InvalidInput', `ARN ${String(arn)} is not valid.`);
  const p = parts.accountId === accountId ? await store.oidcProviders.get(accountId, parts.url) : undefined;
  if (!p) throw missing(arn as string);
  return p;
}

interface ArnInput {
  OpenIDConnectProviderArn: string;
}

/** This kind of provider, for the shared ARN authorization and tag operations. */
const KIND: ProviderKind<OidcProviderRecord> = {
  label: 'OpenIDConnectProvider',
  arnMember: 'OpenIDConnectProviderArn',
  arnRule,
  async find(store, accountId, arn) {
    const parts = parseOidcProviderArn(arn);
    return parts && parts.accountId === accountId ? store.oidcProviders.get(accountId, parts.url) : undefined;
  },
  require: (store, accountId, arn) => requireProvider(store, accountId, arn),
  setTags: (store, accountId, p, tags) => store.oidcProviders.update(accountId, p.url, { tags }),
};

/** Authorization of an operation on an existing provider: its ARN, its tags, and request keys. */
function providerAuthorization<I extends ArnInput>(keys?: (input: I) => Record<string, ContextValue>) {
  return sharedProviderAuthorization<OidcProviderRecord, I & Record<string, unknown>>(KIND, keys);
}

// ------------------------------------------------------------------------------ Create

export interface CreateOpenIDConnectProviderInput {
  Url: string;
  ClientIDList?: string[];
  ThumbprintList?: string[];
  Tags?: Tag[];
}

const createOpenIDConnectProvider = defineIamOperation<CreateOpenIDConnectProviderInput, { OpenIDConnectProviderArn: string; Tags?: Tag[] }>({
  service: 'iam',
  name: 'CreateOpenIDConnectProvider',
  resources: (input, ctx) => [oidcProviderResource(ctx, input.Url)],
  conditionKeys: (input) => requestTagKeys(input.Tags),
  async run(input, ctx) {
    const accountId = callerAccount(ctx);
    checkFields([urlRule(input.Url), ...listRules('clientIDList', input.ClientIDList, clientIdRule), ...listRules('thumbprintList', input.ThumbprintList, thumbprintRule)]);
    const url = normalizeOidcUrl(input.Url);
    if (url === undefined) throw invalidUrl();
    const thumbprints = checkThumbprints(input.ThumbprintList ?? []);
    const clientIds = checkClientIds(input.ClientIDList ?? []);
    const tags = validateTagList(input.Tags, 'insensitive');
    const conflict = () => new AwsError('EntityAlreadyExists', `Provider with url ${input.Url} already exists.`);
    return ctx.store.transaction(async (tx) => {
      if (await tx.oidcProviders.get(accountId, url)) throw conflict();
      if ((await tx.oidcProviders.list(accountId)).length >= OIDC_PROVIDERS_PER_ACCOUNT) {
        throw new AwsError('LimitExceeded', `Cannot exceed quota for OpenIdConnectProvidersPerAccount: ${OIDC_PROVIDERS_PER_ACCOUNT}`);
      }
      const p: OidcProviderRecord = { accountId, url, arn: oidcProviderArn(accountId, url), clientIds, thumbprints, tags, createdAt: ctx.clock.now() };
      try {
        await tx.oidcProviders.create(p);
      } catch (e) {
        if (e instanceof StoreConflictError) throw conflict();
        throw e;
      }
      // AWS leaves Tags out of the response when the request had none.
      return tags.length > 0 ? { OpenIDConnectProviderArn: p.arn, Tags: tags } : { OpenIDConnectProviderArn: p.arn };
    });
  },
});

// ------------------------------------------------------------------------------ Get / List / Delete

export interface GetOpenIDConnectProviderOutput {
  Url: string;
  ClientIDList: string[];
  ThumbprintList: string[];
  CreateDate: Date;
  Tags: Tag[];
}

const getOpenIDConnectProvider = defineIamOperation<ArnInput, GetOpenIDConnectProviderOutput>({
  service: 'iam',
  name: 'GetOpenIDConnectProvider',
  ...providerAuthorization(),
  async run(input, ctx) {
    const p = await requireProvider(ctx.store, callerAccount(ctx), input.OpenIDConnectProviderArn);
    return { Url: p.url, ClientIDList: [...p.clientIds], ThumbprintList: [...p.thumbprints], CreateDate: p.createdAt, Tags: p.tags.map((t) => ({ Key: t.Key, Value: t.Value })) };
  },
});

/** No paging and no tags: the ARNs only (API reference, ListOpenIDConnectProviders). */
const listOpenIDConnectProviders = defineIamOperation<Empty, { OpenIDConnectProviderList: Array<{ Arn: string }> }>({
  service: 'iam',
  name: 'ListOpenIDConnectProviders',
  resources: () => ['*'],
  async run(_input, ctx) {
    const all = await ctx.store.oidcProviders.list(callerAccount(ctx));
    return { OpenIDConnectProviderList: all.map((p) => ({ Arn: p.arn })) };
  },
});

const deleteOpenIDConnectProvider = defineIamOperation<ArnInput, Empty>({
  service: 'iam',
  name: 'DeleteOpenIDConnectProvider',
  ...providerAuthorization(),
  async run(input, ctx) {
    const accountId = callerAccount(ctx);
    const missing = (arn: string) => new AwsError('NoSuchEntity', `OpenId connect Provider ${arn} cannot be found.`);
    await ctx.store.transaction(async (tx) => {
      const p = await requireProvider(tx, accountId, input.OpenIDConnectProviderArn, missing);
      if (!(await tx.oidcProviders.delete(accountId, p.url))) throw missing(p.arn);
    });
    return {};
  },
});

// ------------------------------------------------------------------------------ client ids, thumbprints

interface ClientIdInput extends ArnInput {
  ClientID: string;
}

function clientIdChange(name: string, apply: (current: string[], id: string) => string[]) {
  return defineIamOperation<ClientIdInput, Empty>({
    service: 'iam',
    name,
    ...providerAuthorization<ClientIdInput>(),
    async run(input, ctx) {
      const accountId = callerAccount(ctx);
      checkFields([arnRule(input.OpenIDConnectProviderArn), clientIdRule('clientID', input.ClientID)]);
      await ctx.store.transaction(async (tx) => {
        const p = await requireProvider(tx, accountId, input.OpenIDConnectProviderArn);
        const next = apply(p.clientIds, input.ClientID);
        if (next.length !== p.clientIds.length) await tx.oidcProviders.update(accountId, p.url, { clientIds: next });
      });
      return {};
    },
  });
}

/** Adding a client id the provider already has succeeds and changes nothing. */
const addClientIDToOpenIDConnectProvider = clientIdChange('AddClientIDToOpenIDConnectProvider', (current, id) => {
  if (current.includes(id)) return current;
  if (current.length >= CLIENT_IDS_PER_PROVIDER) throw clientIdQuota();
  return [...current, id];
});

/** Removing a client id the provider does not have succeeds and changes nothing. */
const removeClientIDFromOpenIDConnectProvider = clientIdChange('RemoveClientIDFromOpenIDConnectProvider', (current, id) => current.filter((c) => c !== id));

interface ThumbprintInput extends ArnInput {
  ThumbprintList: string[];
}

/** Replaces the whole list (an empty list is allowed: AWS no longer requires thumbprints). */
const updateOpenIDConnectProviderThumbprint = defineIamOperation<ThumbprintInput, Empty>({
  service: 'iam',
  name: 'UpdateOpenIDConnectProviderThumbprint',
  ...providerAuthorization<ThumbprintInput>(),
  async run(input, ctx) {
    const accountId = callerAccount(ctx);
    checkFields([
      arnRule(input.OpenIDConnectProviderArn),
      { name: 'thumbprintList', value: input.ThumbprintList, required: true },
      ...listRules('thumbprintList', input.ThumbprintList, thumbprintRule),
    ]);
    const thumbprints = checkThumbprints(input.ThumbprintList);
    await ctx.store.transaction(async (tx) => {
      const p = await requireProvider(tx, accountId, input.OpenIDConnectProviderArn);
      await tx.oidcProviders.update(accountId, p.url, { thumbprints });
    });
    return {};
  },
});

export const oidcProviderOperations: Operation<any, any>[] = [
  createOpenIDConnectProvider,
  getOpenIDConnectProvider,
  listOpenIDConnectProviders,
  deleteOpenIDConnectProvider,
  addClientIDToOpenIDConnectProvider,
  removeClientIDFromOpenIDConnectProvider,
  updateOpenIDConnectProviderThumbprint,
  ...providerTagOperations(KIND),
];
