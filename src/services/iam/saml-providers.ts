/**
 * IAM SAML 2.0 identity providers: CreateSAMLProvider, GetSAMLProvider, ListSAMLProviders,
 * UpdateSAMLProvider, DeleteSAMLProvider, TagSAMLProvider, UntagSAMLProvider, ListSAMLProviderTags.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateSAMLProvider.html (and siblings)
 *
 * A provider is named by its Name (1 to 128 characters of `[\w._-]`), its ARN
 * `arn:aws:iam::ACCOUNT:saml-provider/NAME`, and holds the IdP's metadata document as uploaded.
 * The document must be usable IdP metadata (shared/saml-metadata.ts: an EntityDescriptor with an
 * entityID and at least one signing certificate); AssumeRoleWithSAML reads it again from the store.
 *
 * ValidUntil is the metadata's EntityDescriptor/@validUntil when it has one, otherwise the upload
 * time plus 100 years (AWS does not document its date for that case; an expiry the IdP never
 * stated should not stop a working provider, so Rolecall picks a far-future one).
 *
 * Assertion encryption (AssertionEncryptionMode, AddPrivateKey, RemovePrivateKey) is accepted,
 * checked against the model, and not stored: GetSAMLProvider answers AssertionEncryptionMode
 * "Allowed" and an empty PrivateKeyList, as IAM does for a provider without keys. The private key
 * is never kept (nor audited: AddPrivateKey is a secret member).
 *
 * Error texts: "Manifest not found for arn ARN" (NoSuchEntity, 404) is IAM's for GetSAMLProvider
 * and DeleteSAMLProvider as recorded against AWS (2026). Not confirmed against AWS: "Could not
 * parse metadata" (InvalidInput) for unusable metadata, "Provider with name NAME already exists."
 * (EntityAlreadyExists, 409; as quoted in a user's report), the providers-per-account quota
 * message, NoSuchEntity's wording on the tag operations and Update, and a malformed ARN's.
 *
 * Every operation is authorized as iam:<Name> on the provider's ARN (CreateSAMLProvider on the ARN
 * it would get), with the provider's tags as aws:ResourceTag/k and a request's tags as
 * aws:RequestTag/k and aws:TagKeys.
 */
import { newBase32 } from '../../domain/ids.js';
import { AwsError } from '../../domain/aws-error.js';
import type { ContextValue } from '../../policy/index.js';
import { StoreConflictError, type SamlProviderRecord, type Store, type Tag } from '../../store/ports.js';
import type { Operation, OperationContext } from '../operation.js';
import { callerAccount, defineIamOperation } from './shared/operation-kit.js';
import { samlProviderResource } from './shared/resource-arns.js';
import { parseSamlProviderArn, SAML_PROVIDER_NAME_PATTERN, samlProviderArn } from './shared/saml.js';
import { parseSamlMetadata } from './shared/saml-metadata.js';
import { validateTagList } from './shared/tag-input.js';
import { requestTagKeys } from './shared/tags.js';
import { providerAuthorization as sharedProviderAuthorization, providerTagOperations, type ProviderKind } from './shared/provider-operations.js';
import { checkFields, rules, type FieldRule } from './shared/validation.js';

/** IAM quota: SAML providers per account. */
export const SAML_PROVIDERS_PER_ACCOUNT = 100;
/** How long a provider whose metadata has no validUntil is valid: 100 years from the upload. */
export const DEFAULT_VALIDITY_YEARS = 100;

type Empty = Record<string, never>;

// ------------------------------------------------------------------------------ validation

const ENCRYPTION_MODES = ['Required', 'Allowed'] as const;

const nameRule = (v: unknown): FieldRule => ({ name: 'name', value: v, required: true, minLength: 1, maxLength: 128, pattern: SAML_PROVIDER_NAME_PATTERN });
const documentRule = (v: unknown, required: boolean): FieldRule => ({ name: 'sAMLMetadataDocument', value: v, required, minLength: 1000, maxLength: 10_000_000, showValue: false });
const arnRule = (v: unknown): FieldRule => rules.arn('sAMLProviderArn', v);
const encryptionRules = (input: { AssertionEncryptionMode?: unknown; AddPrivateKey?: unknown; RemovePrivateKey?: unknown }): FieldRule[] => [
  { name: 'assertionEncryptionMode', value: input.AssertionEncryptionMode, enumValues: ENCRYPTION_MODES },
  { name: 'addPrivateKey', value: input.AddPrivateKey, minLength: 1, maxLength: 16384, showValue: false },
  { name: 'removePrivateKey', value: input.RemovePrivateKey, minLength: 22, maxLength: 64, pattern: { re: /^[A-Z0-9]+$/, text: '[A-Z0-9]+' } },
];

/** The stored ValidUntil for a document: its validUntil, or `now` + 100 years. */
function checkMetadata(document: string, now: Date): Date {
  const m = parseSamlMetadata(document);
  if (!m) throw new AwsError('InvalidInput', 'Could not parse metadata');
  if (m.validUntil) return m.validUntil;
  const d = new Date(now.getTime());
  d.setUTCFullYear(d.getUTCFullYear() + DEFAULT_VALIDITY_YEARS);
  return d;
}

/** GetSAMLProvider's SAMLProviderUUID: 26 characters of [A-Z2-7] (privateKeyIdType is [A-Z0-9]{22,64}). */
function newUuid(ctx: OperationContext): string {
  return newBase32(ctx.random, 26);
}

// ------------------------------------------------------------------------------ lookups

function notFound(arn: string): AwsError {
  return new AwsError('NoSuchEntity', `Manifest not found for arn ${arn}`);
}

/**
 * The provider a request's ARN names in the caller's account. A malformed ARN is InvalidInput; a
 * well-formed ARN of another account, or of no provider, is not found.
 */
async function requireProvider(store: Store, accountId: string, arn: unknown): Promise<SamlProviderRecord> {
  checkFields([arnRule(arn)]);
  const parts = parseSamlProviderArn(arn);
  if (!parts) throw new AwsError('InvalidInput', `ARN ${String(arn)} is not valid.`);
  const p = parts.accountId === accountId ? await store.samlProviders.get(accountId, parts.name) : undefined;
  if (!p) throw notFound(arn as string);
  return p;
}

interface ArnInput {
  SAMLProviderArn: string;
}

/** This kind of provider, for the shared ARN authorization and tag operations. */
const KIND: ProviderKind<SamlProviderRecord> = {
  label: 'SAMLProvider',
  arnMember: 'SAMLProviderArn',
  arnRule,
  async find(store, accountId, arn) {
    const parts = parseSamlProviderArn(arn);
    return parts && parts.accountId === accountId ? store.samlProviders.get(accountId, parts.name) : undefined;
  },
  require: (store, accountId, arn) => requireProvider(store, accountId, arn),
  setTags: (store, accountId, p, tags) => store.samlProviders.update(accountId, p.name, { tags }),
};

/** Authorization of an operation on an existing provider: its ARN, its tags, and request keys. */
function providerAuthorization<I extends ArnInput>(keys?: (input: I) => Record<string, ContextValue>) {
  return sharedProviderAuthorization<SamlProviderRecord, I & Record<string, unknown>>(KIND, keys);
}

// ------------------------------------------------------------------------------ Create

export interface CreateSAMLProviderInput {
  SAMLMetadataDocument: string;
  Name: string;
  Tags?: Tag[];
  AssertionEncryptionMode?: string;
  AddPrivateKey?: string;
}

const createSAMLProvider = defineIamOperation<CreateSAMLProviderInput, { SAMLProviderArn: string; Tags?: Tag[] }>({
  service: 'iam',
  name: 'CreateSAMLProvider',
  resources: (input, ctx) => [samlProviderResource(ctx, input.Name)],
  conditionKeys: (input) => requestTagKeys(input.Tags),
  async run(input, ctx) {
    const accountId = callerAccount(ctx);
    checkFields([documentRule(input.SAMLMetadataDocument, true), nameRule(input.Name), ...encryptionRules(input)]);
    const tags = validateTagList(input.Tags, 'insensitive');
    const now = ctx.clock.now();
    const validUntil = checkMetadata(input.SAMLMetadataDocument, now);
    const conflict = () => new AwsError('EntityAlreadyExists', `Provider with name ${input.Name} already exists.`);
    return ctx.store.transaction(async (tx) => {
      if (await tx.samlProviders.get(accountId, input.Name)) throw conflict();
      if ((await tx.samlProviders.list(accountId)).length >= SAML_PROVIDERS_PER_ACCOUNT) {
        throw new AwsError('LimitExceeded', `Cannot exceed quota for SAMLProvidersPerAccount: ${SAML_PROVIDERS_PER_ACCOUNT}`);
      }
      const p: SamlProviderRecord = {
        accountId,
        name: input.Name,
        arn: samlProviderArn(accountId, input.Name),
        metadataDocument: input.SAMLMetadataDocument,
        uuid: newUuid(ctx),
        createdAt: now,
        validUntil,
        tags,
      };
      try {
        await tx.samlProviders.create(p);
      } catch (e) {
        if (e instanceof StoreConflictError) throw conflict();
        throw e;
      }
      // As CreateOpenIDConnectProvider: Tags only when the request had some.
      return tags.length > 0 ? { SAMLProviderArn: p.arn, Tags: tags } : { SAMLProviderArn: p.arn };
    });
  },
});

// ------------------------------------------------------------------------------ Get / List / Update / Delete

export interface GetSAMLProviderOutput {
  SAMLProviderUUID: string;
  SAMLMetadataDocument: string;
  CreateDate: Date;
  ValidUntil: Date;
  Tags: Tag[];
  AssertionEncryptionMode: string;
  PrivateKeyList: Array<{ KeyId: string; Timestamp: Date }>;
}

const getSAMLProvider = defineIamOperation<ArnInput, GetSAMLProviderOutput>({
  service: 'iam',
  name: 'GetSAMLProvider',
  ...providerAuthorization(),
  async run(input, ctx) {
    const p = await requireProvider(ctx.store, callerAccount(ctx), input.SAMLProviderArn);
    return {
      SAMLProviderUUID: p.uuid,
      SAMLMetadataDocument: p.metadataDocument,
      CreateDate: p.createdAt,
      ValidUntil: p.validUntil,
      Tags: p.tags.map((t) => ({ Key: t.Key, Value: t.Value })),
      // Encryption settings are not stored (module comment): IAM's answer for a provider without keys.
      AssertionEncryptionMode: 'Allowed',
      PrivateKeyList: [],
    };
  },
});

/** No paging and no tags (API reference, ListSAMLProviders). */
const listSAMLProviders = defineIamOperation<Empty, { SAMLProviderList: Array<{ Arn: string; ValidUntil: Date; CreateDate: Date }> }>({
  service: 'iam',
  name: 'ListSAMLProviders',
  resources: () => ['*'],
  async run(_input, ctx) {
    const all = await ctx.store.samlProviders.list(callerAccount(ctx));
    return { SAMLProviderList: all.map((p) => ({ Arn: p.arn, ValidUntil: p.validUntil, CreateDate: p.createdAt })) };
  },
});

interface UpdateInput extends ArnInput {
  SAMLMetadataDocument?: string;
  AssertionEncryptionMode?: string;
  AddPrivateKey?: string;
  RemovePrivateKey?: string;
}

/** Replaces the metadata document (and with it ValidUntil). Without a document, nothing changes. */
const updateSAMLProvider = defineIamOperation<UpdateInput, { SAMLProviderArn: string }>({
  service: 'iam',
  name: 'UpdateSAMLProvider',
  ...providerAuthorization<UpdateInput>(),
  async run(input, ctx) {
    const accountId = callerAccount(ctx);
    checkFields([documentRule(input.SAMLMetadataDocument, false), arnRule(input.SAMLProviderArn), ...encryptionRules(input)]);
    const document = input.SAMLMetadataDocument;
    const validUntil = document === undefined ? undefined : checkMetadata(document, ctx.clock.now());
    return ctx.store.transaction(async (tx) => {
      const p = await requireProvider(tx, accountId, input.SAMLProviderArn);
      if (document !== undefined && validUntil !== undefined) await tx.samlProviders.update(accountId, p.name, { metadataDocument: document, validUntil });
      return { SAMLProviderArn: p.arn };
    });
  },
});

const deleteSAMLProvider = defineIamOperation<ArnInput, Empty>({
  service: 'iam',
  name: 'DeleteSAMLProvider',
  ...providerAuthorization(),
  async run(input, ctx) {
    const accountId = callerAccount(ctx);
    await ctx.store.transaction(async (tx) => {
      const p = await requireProvider(tx, accountId, input.SAMLProviderArn);
      if (!(await tx.samlProviders.delete(accountId, p.name))) throw notFound(p.arn);
    });
    return {};
  },
});

export const samlProviderOperations: Operation<any, any>[] = [
  createSAMLProvider,
  getSAMLProvider,
  listSAMLProviders,
  updateSAMLProvider,
  deleteSAMLProvider,
  ...providerTagOperations(KIND),
];
