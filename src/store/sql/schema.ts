/**
 * The relational schema as Kysely sees it (the shape migrations/ creates). Shared by every SQL
 * adapter, so only portable types appear: text, integer, bigint.
 *
 * Conventions:
 * - Dates are ISO-8601 UTC text with milliseconds (`Date#toISOString()`): exact round trips,
 *   readable in a backup, sortable as text, the same in SQLite and PostgreSQL.
 * - Tags and small arrays are JSON text.
 * - `name_lower` holds the lower-cased name; a unique index on (account_id, name_lower) is the
 *   IAM rule "names are unique per account, case-insensitively", and lookups use it.
 * - Rows that hang off users, groups and roles reference them by their immutable unique id
 *   (AIDA/AGPA/AROA...), never by name: a rename moves everything with it, and a deleted
 *   entity's policies, keys and memberships are never inherited by a new entity of that name.
 * - Columns ending in `_sealed` hold sealing.ts output, never plaintext.
 */

export interface AccountsTable {
  id: string;
  alias: string | null;
  created_at: string;
}

export interface UsersTable {
  id: string;
  account_id: string;
  name: string;
  name_lower: string;
  path: string;
  arn: string;
  created_at: string;
  tags: string;
  permissions_boundary_arn: string | null;
  password_last_used: string | null;
}

export interface GroupsTable {
  id: string;
  account_id: string;
  name: string;
  name_lower: string;
  path: string;
  arn: string;
  created_at: string;
}

export interface GroupMembersTable {
  group_id: string;
  user_id: string;
}

export interface RolesTable {
  id: string;
  account_id: string;
  name: string;
  name_lower: string;
  path: string;
  arn: string;
  created_at: string;
  assume_role_policy_document: string;
  trust_principal_ids: string;
  description: string | null;
  max_session_duration: number;
  tags: string;
  permissions_boundary_arn: string | null;
  last_used_date: string | null;
  last_used_region: string | null;
}

export interface ManagedPoliciesTable {
  id: string;
  account_id: string;
  name: string;
  name_lower: string;
  path: string;
  arn: string;
  description: string | null;
  created_at: string;
  updated_at: string;
  /** The single source of truth for "which version is the default" (see policies.ts). */
  default_version_id: string;
  tags: string;
}

export interface PolicyVersionsTable {
  policy_id: string;
  version_id: string;
  document: string;
  created_at: string;
}

export interface InlinePoliciesTable {
  account_id: string;
  owner_type: string;
  owner_id: string;
  policy_name: string;
  policy_name_lower: string;
  document: string;
}

export interface AttachmentsTable {
  account_id: string;
  owner_type: string;
  owner_id: string;
  policy_arn: string;
}

export interface AccessKeysTable {
  access_key_id: string;
  account_id: string;
  /** Null for the account root user's keys. */
  user_id: string | null;
  secret_sealed: string;
  status: string;
  created_at: string;
  last_used_date: string | null;
  last_used_service: string | null;
  last_used_region: string | null;
}

export interface MfaDevicesTable {
  serial_number: string;
  account_id: string;
  name: string;
  name_lower: string;
  path: string;
  seed_sealed: string;
  user_id: string | null;
  enabled_at: string | null;
  /** bigint column; drivers may hand it back as number or string. */
  last_used_time_step: number | null;
  created_at: string;
  tags: string;
}

export interface InstanceProfilesTable {
  id: string;
  account_id: string;
  name: string;
  name_lower: string;
  path: string;
  arn: string;
  created_at: string;
  tags: string;
}

/** IAM OIDC identity providers (0006_oidc_providers); key (account_id, url). */
export interface OidcProvidersTable {
  account_id: string;
  /** Issuer url without `https://`, host lowercased, no trailing slash (the ARN's resource part). */
  url: string;
  arn: string;
  /** JSON array of strings, in the order added. */
  client_ids: string;
  /** JSON array of 40-hex-digit strings (lowercase). */
  thumbprints: string;
  tags: string;
  created_at: string;
}

/** IAM SAML identity providers (0007_saml_providers); key (account_id, name). */
export interface SamlProvidersTable {
  account_id: string;
  name: string;
  arn: string;
  /** The metadata XML as uploaded. */
  metadata_document: string;
  uuid: string;
  created_at: string;
  valid_until: string;
  tags: string;
}

export interface InstanceProfileRolesTable {
  profile_id: string;
  role_id: string;
  position: number;
}

export interface InstancesTable {
  id: string;
  account_id: string;
  region: string;
  availability_zone: string;
  image_id: string;
  instance_type: string;
  private_ip: string;
  instance_profile_arn: string;
  instance_profile_id: string;
  http_tokens: string;
  imds_port: number;
  state: string;
  launched_at: string;
  launched_by: string;
  terminated_at: string | null;
}

export interface TasksTable {
  id: string;
  arn: string;
  account_id: string;
  region: string;
  role_arn: string;
  token_sha256: string;
  started_at: string;
  started_by: string;
}

export interface SettingsTable {
  key: string;
  value_sealed: string;
}

/**
 * The audit trail, storage format v2 (0005_audit_batches): one row per (committed batch,
 * account). `events` is the batch's text: line 1 a JSON array of one metadata array per event
 * (AuditEventMeta in sql/audit.ts), then each event's CloudTrail JSON verbatim, one per line.
 * Times are dateToText (ISO, ms); span_ms = max_time - min_time.
 */
export interface AuditBatchesTable {
  batch_id: string;
  account_id: string;
  min_time: string;
  max_time: string;
  span_ms: number;
  event_count: number;
  events: string;
}

/**
 * A posting list: the batches of one indexing group (the pending batches indexed together,
 * sql/audit.ts) holding (attribute, value), keyed in lookup order.
 */
export interface AuditBatchLookupTable {
  account_id: string;
  /** EventName, Username, AccessKeyId, EventSource, ReadOnly, ResourceType or ResourceName. */
  attribute: string;
  value: string;
  /** The largest max_time of the listed batches (the lookup order). */
  max_time: string;
  /** The group's id: its first batch's id. */
  group_id: string;
  /** The smallest min_time of the listed batches. */
  min_time: string;
  /** JSON array of batch ids. */
  batch_ids: string;
}

/**
 * Batches whose audit_batch_lookup rows are not written yet (written for several batches at
 * once, every few appends: sql/audit.ts); `pairs` is the JSON [[attribute, value], ...] to write.
 */
export interface AuditPendingTable {
  batch_id: string;
  account_id: string;
  min_time: string;
  max_time: string;
  pairs: string;
}

/** Every event id (unique, as CloudTrail's eventID) and the batch holding it: EventId lookups. */
export interface AuditEventIdsTable {
  event_id: string;
  batch_id: string;
}

export interface AuditLastUsedTable {
  /** `role` (id = AROA...) or `access-key` (id = AKIA...). */
  kind: string;
  id: string;
  used_at: string;
  region: string;
  service: string;
}

export interface Database {
  accounts: AccountsTable;
  users: UsersTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  roles: RolesTable;
  managed_policies: ManagedPoliciesTable;
  policy_versions: PolicyVersionsTable;
  inline_policies: InlinePoliciesTable;
  attachments: AttachmentsTable;
  access_keys: AccessKeysTable;
  mfa_devices: MfaDevicesTable;
  instance_profiles: InstanceProfilesTable;
  instance_profile_roles: InstanceProfileRolesTable;
  oidc_providers: OidcProvidersTable;
  saml_providers: SamlProvidersTable;
  instances: InstancesTable;
  tasks: TasksTable;
  settings: SettingsTable;
  audit_batches: AuditBatchesTable;
  audit_batch_lookup: AuditBatchLookupTable;
  audit_event_ids: AuditEventIdsTable;
  audit_pending: AuditPendingTable;
  audit_last_used: AuditLastUsedTable;
}
