/**
 * The store's ports: what the services need from persistence, as async interfaces. Adapters
 * (sqlite/, later postgres/) implement them and must pass the shared contract test
 * (contract.ts). Secrets cross these ports in plaintext; adapters seal them at rest.
 *
 * Conventions: names are unique per account case-insensitively (IAM rule) and lookups by name
 * are case-insensitive; `create*` rejects a duplicate with StoreConflictError; `get*` returns
 * undefined when missing; `delete*` returns whether something was deleted; lists return every
 * matching record sorted by name (IAM accounts hold thousands, not millions: services page).
 */

export interface Tag {
  Key: string;
  Value: string;
}

export type PrincipalEntityType = 'user' | 'group' | 'role';

export interface AccountRecord {
  id: string; // 12 digits
  createdAt: Date;
  alias?: string;
}

export interface UserRecord {
  accountId: string;
  name: string;
  path: string;
  id: string; // AIDA...
  arn: string;
  createdAt: Date;
  tags: Tag[];
  permissionsBoundaryArn?: string;
  passwordLastUsed?: Date;
}

export interface GroupRecord {
  accountId: string;
  name: string;
  path: string;
  id: string; // AGPA...
  arn: string;
  createdAt: Date;
}

export interface RoleRecord {
  accountId: string;
  name: string;
  path: string;
  id: string; // AROA...
  arn: string;
  createdAt: Date;
  /** The trust policy as the caller wrote it (JSON text). */
  assumeRolePolicyDocument: string;
  /**
   * Principals in the trust policy that name IAM users/roles, resolved to their unique ids on
   * write (AWS stores unique ids; a deleted entity leaves its id behind, and re-creating the
   * name does not restore trust).
   */
  trustPrincipalIds: Array<{ arn: string; id: string }>;
  description?: string;
  maxSessionDuration: number;
  tags: Tag[];
  permissionsBoundaryArn?: string;
  /** Legacy column, no longer written: RoleLastUsed comes from the audit trail (AuditRepo.lastUsed). */
  lastUsed?: { date: Date; region: string };
}

export interface ManagedPolicyRecord {
  /** Owning account, or 'aws' for AWS managed policies. */
  accountId: string;
  name: string;
  path: string;
  id: string; // ANPA...
  arn: string;
  description?: string;
  createdAt: Date;
  updatedAt: Date;
  defaultVersionId: string;
  tags: Tag[];
}

export interface PolicyVersionRecord {
  policyArn: string;
  versionId: string; // v1, v2, ...
  document: string;
  isDefault: boolean;
  createdAt: Date;
}

export interface InlinePolicyRecord {
  accountId: string;
  ownerType: PrincipalEntityType;
  ownerName: string;
  policyName: string;
  document: string;
}

export interface AttachmentRecord {
  accountId: string;
  ownerType: PrincipalEntityType;
  ownerName: string;
  policyArn: string;
}

export type AccessKeyStatus = 'Active' | 'Inactive';

export interface AccessKeyRecord {
  accessKeyId: string; // AKIA...
  accountId: string;
  /** Undefined for the account root user's keys. */
  userName?: string;
  secretAccessKey: string;
  status: AccessKeyStatus;
  createdAt: Date;
  /** Legacy column, no longer written: last use comes from the audit trail (AuditRepo.lastUsed). */
  lastUsed?: { date: Date; service: string; region: string };
}

export interface MfaDeviceRecord {
  accountId: string;
  serialNumber: string; // arn:aws:iam::ACCOUNT:mfa/path/name
  path: string;
  name: string;
  /** The TOTP secret (raw bytes, base32 when shown to the user). */
  seed: Buffer;
  userName?: string;
  enabledAt?: Date;
  /** Highest TOTP time step accepted so far: a code is never accepted twice. */
  lastUsedTimeStep?: number;
  createdAt: Date;
  tags: Tag[];
}

/**
 * An IAM OpenID Connect identity provider (CreateOpenIDConnectProvider): whose ID tokens
 * AssumeRoleWithWebIdentity accepts for the account's roles.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateOpenIDConnectProvider.html
 */
export interface OidcProviderRecord {
  accountId: string;
  /**
   * The issuer URL without its `https://` scheme, as the ARN, GetOpenIDConnectProvider's `Url`
   * and trust-policy condition keys write it (`token.actions.githubusercontent.com`,
   * `example.com/tenant`): host lowercased, no trailing slash. Unique per account.
   */
  url: string;
  /** arn:aws:iam::ACCOUNT:oidc-provider/URL */
  arn: string;
  /** Audiences (client ids) accepted in a token's `aud`, in the order added. */
  clientIds: string[];
  /** SHA-1 thumbprints (40 lowercase hex digits) of the issuer's TLS certificate chain. */
  thumbprints: string[];
  tags: Tag[];
  createdAt: Date;
}

/**
 * An IAM SAML 2.0 identity provider (CreateSAMLProvider): whose signed assertions
 * AssumeRoleWithSAML accepts for the account's roles.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateSAMLProvider.html
 */
export interface SamlProviderRecord {
  accountId: string;
  /** The provider's name, the ARN's last part; unique per account. */
  name: string;
  /** arn:aws:iam::ACCOUNT:saml-provider/NAME */
  arn: string;
  /** The SAML metadata document as uploaded (XML text). */
  metadataDocument: string;
  /** GetSAMLProvider's SAMLProviderUUID. */
  uuid: string;
  createdAt: Date;
  /** GetSAMLProvider's ValidUntil. */
  validUntil: Date;
  tags: Tag[];
}

export interface InstanceProfileRecord {
  accountId: string;
  name: string;
  path: string;
  id: string; // AIPA...
  arn: string;
  createdAt: Date;
  roleNames: string[];
  tags: Tag[];
}

/** A simulated EC2 instance (docs/service-roles.md): what its metadata endpoint serves. */
export interface InstanceRecord {
  id: string; // i- and 17 hex digits
  accountId: string;
  region: string;
  availabilityZone: string;
  imageId: string;
  instanceType: string;
  privateIp: string;
  /** The instance profile as launched: a profile re-created under the same name is another one. */
  instanceProfileArn: string;
  instanceProfileId: string; // AIPA...
  /** IMDSv2 only (`required`) or IMDSv1 allowed too (`optional`). */
  httpTokens: 'optional' | 'required';
  /** Loopback port of the instance's metadata endpoint (0 until one is bound). */
  imdsPort: number;
  state: 'running' | 'terminated';
  launchedAt: Date;
  /** ARN of the principal that launched it (iam:PassRole was checked for it). */
  launchedBy: string;
  terminatedAt?: Date;
}

/** A simulated ECS task with a task role, served by the container credentials endpoint. */
export interface TaskRecord {
  id: string; // 32 hex digits
  arn: string; // arn:aws:ecs:REGION:ACCOUNT:task/CLUSTER/ID
  accountId: string;
  region: string;
  roleArn: string;
  /** SHA-256 (hex) of the endpoint's authorization token: the token itself is never stored. */
  tokenSha256: string;
  startedAt: Date;
  startedBy: string;
}

export class StoreConflictError extends Error {
  constructor(readonly entity: string, readonly key: string) {
    super(`${entity} ${key} already exists`);
    this.name = 'StoreConflictError';
  }
}

/**
 * A write names something that does not exist (a user, group, role, instance profile's role or
 * policy it must hang off). Services check existence first and answer NoSuchEntity; this is the
 * store's backstop so a dangling reference is never written (e.g. an access key for no user).
 */
export class StoreReferenceError extends Error {
  constructor(readonly entity: string, readonly key: string) {
    super(`${entity} ${key} does not exist`);
    this.name = 'StoreReferenceError';
  }
}

/**
 * The database cannot be reached or did not answer in time (connection refused or lost, connect
 * or statement timeout, server shutting down). A service-side failure, never a verdict: the
 * gateway answers ServiceUnavailable (503) and logs `reason`. INVARIANT: the message and reason
 * never hold a secret (the adapter builds them from error codes and a password-free URL).
 */
export class StoreUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(`the database is unavailable: ${reason}`);
    this.name = 'StoreUnavailableError';
  }
}

/**
 * Something changed in the store, possibly written by another node or process. `table` names
 * what changed when known; `resync` says changes may have been missed (a notification channel
 * was lost and is back): drop everything derived from the store.
 */
export interface StoreChange {
  table?: string;
  resync?: boolean;
}

/** Notifications of changes made anywhere (PostgreSQL LISTEN/NOTIFY); adapters may offer one. */
export interface ChangeFeed {
  subscribe(listener: (change: StoreChange) => void): () => void;
}

/** Partial updates: only the given fields change; `null` clears an optional field. */
export type Patch<T> = { [K in keyof T]?: T[K] | null };

export interface AccountRepo {
  create(a: AccountRecord): Promise<void>;
  get(id: string): Promise<AccountRecord | undefined>;
  list(): Promise<AccountRecord[]>;
}

export interface UserRepo {
  create(u: UserRecord): Promise<void>;
  get(accountId: string, name: string): Promise<UserRecord | undefined>;
  getById(id: string): Promise<UserRecord | undefined>;
  list(accountId: string, pathPrefix?: string): Promise<UserRecord[]>;
  update(accountId: string, name: string, patch: Patch<Pick<UserRecord, 'name' | 'path' | 'arn' | 'tags' | 'permissionsBoundaryArn'>>): Promise<boolean>;
  delete(accountId: string, name: string): Promise<boolean>;
}

export interface GroupRepo {
  create(g: GroupRecord): Promise<void>;
  get(accountId: string, name: string): Promise<GroupRecord | undefined>;
  list(accountId: string, pathPrefix?: string): Promise<GroupRecord[]>;
  update(accountId: string, name: string, patch: Patch<Pick<GroupRecord, 'name' | 'path' | 'arn'>>): Promise<boolean>;
  delete(accountId: string, name: string): Promise<boolean>;
  addUser(accountId: string, groupName: string, userName: string): Promise<void>;
  removeUser(accountId: string, groupName: string, userName: string): Promise<boolean>;
  listUsers(accountId: string, groupName: string): Promise<string[]>;
  listGroupsForUser(accountId: string, userName: string): Promise<GroupRecord[]>;
}

export interface RoleRepo {
  create(r: RoleRecord): Promise<void>;
  get(accountId: string, name: string): Promise<RoleRecord | undefined>;
  getById(id: string): Promise<RoleRecord | undefined>;
  list(accountId: string, pathPrefix?: string): Promise<RoleRecord[]>;
  update(
    accountId: string,
    name: string,
    patch: Patch<Pick<RoleRecord, 'assumeRolePolicyDocument' | 'trustPrincipalIds' | 'description' | 'maxSessionDuration' | 'tags' | 'permissionsBoundaryArn' | 'lastUsed'>>,
  ): Promise<boolean>;
  delete(accountId: string, name: string): Promise<boolean>;
}

export interface ManagedPolicyRepo {
  /** Creates the policy with its first version (v1, default). */
  create(p: ManagedPolicyRecord, firstVersion: PolicyVersionRecord): Promise<void>;
  get(arn: string): Promise<ManagedPolicyRecord | undefined>;
  list(accountId: string, opts?: { pathPrefix?: string; includeAws?: boolean }): Promise<ManagedPolicyRecord[]>;
  update(arn: string, patch: Patch<Pick<ManagedPolicyRecord, 'defaultVersionId' | 'updatedAt' | 'tags' | 'description'>>): Promise<boolean>;
  delete(arn: string): Promise<boolean>;
  addVersion(v: PolicyVersionRecord): Promise<void>;
  getVersion(arn: string, versionId: string): Promise<PolicyVersionRecord | undefined>;
  listVersions(arn: string): Promise<PolicyVersionRecord[]>;
  deleteVersion(arn: string, versionId: string): Promise<boolean>;
  /** Makes versionId the default (and only default) version. */
  setDefaultVersion(arn: string, versionId: string, updatedAt: Date): Promise<boolean>;
}

export interface InlinePolicyRepo {
  put(p: InlinePolicyRecord): Promise<void>; // insert or replace
  get(accountId: string, ownerType: PrincipalEntityType, ownerName: string, policyName: string): Promise<InlinePolicyRecord | undefined>;
  list(accountId: string, ownerType: PrincipalEntityType, ownerName: string): Promise<InlinePolicyRecord[]>;
  delete(accountId: string, ownerType: PrincipalEntityType, ownerName: string, policyName: string): Promise<boolean>;
}

export interface AttachmentRepo {
  attach(a: AttachmentRecord): Promise<void>; // idempotent
  detach(a: AttachmentRecord): Promise<boolean>;
  listForEntity(accountId: string, ownerType: PrincipalEntityType, ownerName: string): Promise<AttachmentRecord[]>;
  listForPolicy(policyArn: string): Promise<AttachmentRecord[]>;
  /** Users and roles of `accountId` using this policy as their permissions boundary. */
  countBoundaryUsage(accountId: string, policyArn: string): Promise<number>;
}

export interface AccessKeyRepo {
  create(k: AccessKeyRecord): Promise<void>;
  get(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
  listForUser(accountId: string, userName: string | undefined): Promise<AccessKeyRecord[]>;
  update(accessKeyId: string, patch: Patch<Pick<AccessKeyRecord, 'status' | 'lastUsed' | 'userName'>>): Promise<boolean>;
  delete(accessKeyId: string): Promise<boolean>;
}

export interface MfaDeviceRepo {
  create(d: MfaDeviceRecord): Promise<void>;
  get(serialNumber: string): Promise<MfaDeviceRecord | undefined>;
  list(accountId: string): Promise<MfaDeviceRecord[]>;
  update(serialNumber: string, patch: Patch<Pick<MfaDeviceRecord, 'userName' | 'enabledAt' | 'lastUsedTimeStep' | 'tags'>>): Promise<boolean>;
  /**
   * Atomically accept a TOTP time step: succeeds only if it is above the last accepted one
   * (so one code can never be used twice, even by two nodes at once).
   */
  consumeTimeStep(serialNumber: string, step: number): Promise<boolean>;
  delete(serialNumber: string): Promise<boolean>;
}

export interface InstanceProfileRepo {
  create(p: InstanceProfileRecord): Promise<void>;
  get(accountId: string, name: string): Promise<InstanceProfileRecord | undefined>;
  list(accountId: string, pathPrefix?: string): Promise<InstanceProfileRecord[]>;
  listForRole(accountId: string, roleName: string): Promise<InstanceProfileRecord[]>;
  update(accountId: string, name: string, patch: Patch<Pick<InstanceProfileRecord, 'roleNames' | 'tags'>>): Promise<boolean>;
  delete(accountId: string, name: string): Promise<boolean>;
}

export interface OidcProviderRepo {
  /** Throws if the account already has a provider with this url. */
  create(p: OidcProviderRecord): Promise<void>;
  get(accountId: string, url: string): Promise<OidcProviderRecord | undefined>;
  /** The account's providers, ordered by url. */
  list(accountId: string): Promise<OidcProviderRecord[]>;
  update(accountId: string, url: string, patch: Patch<Pick<OidcProviderRecord, 'clientIds' | 'thumbprints' | 'tags'>>): Promise<boolean>;
  delete(accountId: string, url: string): Promise<boolean>;
}

export interface SamlProviderRepo {
  /** Throws if the account already has a provider with this name. */
  create(p: SamlProviderRecord): Promise<void>;
  get(accountId: string, name: string): Promise<SamlProviderRecord | undefined>;
  /** The account's providers, ordered by name. */
  list(accountId: string): Promise<SamlProviderRecord[]>;
  update(accountId: string, name: string, patch: Patch<Pick<SamlProviderRecord, 'metadataDocument' | 'validUntil' | 'tags'>>): Promise<boolean>;
  delete(accountId: string, name: string): Promise<boolean>;
}

export interface InstanceRepo {
  create(i: InstanceRecord): Promise<void>;
  get(id: string): Promise<InstanceRecord | undefined>;
  /** The account's instances (every account's when undefined), oldest launch first. */
  list(accountId?: string): Promise<InstanceRecord[]>;
  update(id: string, patch: Patch<Pick<InstanceRecord, 'httpTokens' | 'imdsPort' | 'state' | 'terminatedAt'>>): Promise<boolean>;
  delete(id: string): Promise<boolean>;
}

export interface TaskRepo {
  create(t: TaskRecord): Promise<void>;
  get(id: string): Promise<TaskRecord | undefined>;
  /** The account's tasks (every account's when undefined), oldest first. */
  list(accountId?: string): Promise<TaskRecord[]>;
  delete(id: string): Promise<boolean>;
}

/** Small key/value settings (e.g. the sealed token key ring), per scope. */
export interface SettingsRepo {
  get(key: string): Promise<string | undefined>;
  put(key: string, value: string): Promise<void>;
  /** Compare-and-set: writes only if the current value equals `expected` (undefined = absent). */
  compareAndSet(key: string, expected: string | undefined, value: string): Promise<boolean>;
}

/**
 * The audit trail (CloudTrail-format events, src/audit/). The store keeps each event's JSON
 * verbatim plus the columns LookupEvents filters on, and a small "last used" table derived from
 * the same events in the same transaction (RoleLastUsed, GetAccessKeyLastUsed).
 *
 * INVARIANT: `append` is all-or-nothing: when it resolves every record of the batch is committed
 * (durable), when it rejects none is. Records never hold secrets (src/audit/ redacts first).
 */
export type AuditLookupKey = 'EventId' | 'EventName' | 'ReadOnly' | 'Username' | 'ResourceType' | 'ResourceName' | 'EventSource' | 'AccessKeyId';

/** A LookupEvents resource: `{ResourceType, ResourceName}` as CloudTrail lists it. */
export interface AuditResource {
  type: string;
  name: string;
}

/** Something an event counts as a use of (RoleLastUsed by role id, AccessKeyLastUsed by key id). */
export interface AuditUse {
  kind: 'role' | 'access-key';
  id: string;
  date: Date;
  region: string;
  /** The service the request went to (`sts`, `iam`, ...). */
  service: string;
}

export interface AuditRecord {
  eventId: string;
  /** The account this copy belongs to (the event's recipientAccountId). */
  accountId: string;
  /** Full precision (ms): orders events; the JSON's eventTime has whole seconds as CloudTrail's. */
  eventTime: Date;
  eventName: string;
  eventSource: string;
  readOnly: boolean;
  username?: string;
  accessKeyId?: string;
  resources: AuditResource[];
  /** The CloudTrail event as JSON text, exactly what LookupEvents returns as CloudTrailEvent. */
  json: string;
  /** Uses this event records (written to the last-used table, never read back from the record). */
  uses?: AuditUse[];
}

/** Continue a lookup after this event (in the query's order). */
export interface AuditCursor {
  eventTime: Date;
  eventId: string;
}

export interface AuditQuery {
  /** One account's events; undefined reads every account (export). */
  accountId?: string;
  attribute?: { key: AuditLookupKey; value: string };
  /** Events at or after this instant. */
  from?: Date;
  /** Events strictly before this instant. */
  before?: Date;
  /** Default newest first (LookupEvents); oldest first for exports. */
  order?: 'newest-first' | 'oldest-first';
  limit: number;
  after?: AuditCursor;
}

export interface AuditLastUsed {
  date: Date;
  region: string;
  service: string;
}

export interface AuditRepo {
  /** Stores a batch in one transaction (see the INVARIANT above). */
  append(records: AuditRecord[]): Promise<void>;
  /** Events matching the query, in its order, at most `limit` (records without `uses`). */
  lookup(q: AuditQuery): Promise<AuditRecord[]>;
  /** Which of these event ids are stored (what append refuses as repeated). */
  existingEventIds(eventIds: string[]): Promise<Set<string>>;
  /**
   * The greatest stored event id (string order), if any: an id greater than it is not stored.
   * Optional: a repository without it is always asked with existingEventIds.
   */
  maxEventId?(): Promise<string | undefined>;
  /** The latest use of a role (by unique id) or access key, if any. */
  lastUsed(kind: AuditUse['kind'], id: string): Promise<AuditLastUsed | undefined>;
  /** Deletes up to `limit` events older than `before`; returns how many it deleted. */
  prune(before: Date, limit?: number): Promise<number>;
  /** Forgets last-use entries older than `before` (IAM reports use over a trailing window). */
  pruneLastUsed(before: Date): Promise<number>;
}

export interface Store {
  accounts: AccountRepo;
  users: UserRepo;
  groups: GroupRepo;
  roles: RoleRepo;
  policies: ManagedPolicyRepo;
  inlinePolicies: InlinePolicyRepo;
  attachments: AttachmentRepo;
  accessKeys: AccessKeyRepo;
  mfaDevices: MfaDeviceRepo;
  instanceProfiles: InstanceProfileRepo;
  oidcProviders: OidcProviderRepo;
  samlProviders: SamlProviderRepo;
  instances: InstanceRepo;
  tasks: TaskRepo;
  settings: SettingsRepo;
  audit: AuditRepo;
  /** Runs fn atomically: all its writes or none. Nested calls join the outer transaction. */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
