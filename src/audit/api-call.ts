/**
 * The CloudTrail event(s) of one API call, success or failure, in the shape of the record
 * contents reference (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html)
 * and of the IAM user guide's examples ("Logging IAM and AWS STS API calls with AWS CloudTrail").
 *
 * - readOnly: every STS call (AssumeRole included, as CloudTrail marks them), and IAM/CloudTrail
 *   Get*, List*, Simulate*, Lookup*.
 * - responseElements: `null` for read-only calls (CloudTrail records what changed), except the
 *   STS calls that issue credentials, whose answer (key id, expiry, assumed-role user) is the
 *   point of the record; `null` for failures and empty answers.
 * - awsRegion: IAM is global and CloudTrail files its events under us-east-1; STS and CloudTrail
 *   under the region the request was signed for.
 * - A cross-account AssumeRole yields two copies with one sharedEventID: the caller's account
 *   sees the caller in full, the role's account sees it as `AWSAccount`.
 */
import type { Caller } from '../domain/caller.js';
import { EVENT_VERSION, type CloudTrailEvent, type UserIdentity } from './event.js';
import { cloudTrailTime, crossAccountIdentity, userIdentityOf } from './identity.js';
import { cloudTrailElements, scrub } from './redact.js';

export interface ApiCall {
  service: 'iam' | 'sts' | 'cloudtrail' | 'accessanalyzer';
  operation: string;
  /** The decoded input (undefined when the request did not parse). */
  input?: Record<string, unknown>;
  /** The operation's output, on success. */
  output?: unknown;
  /** The AWS error answered, on failure. */
  error?: { code: string; message?: string };
  /** The authenticated caller (undefined only for unsigned operations). */
  caller?: Caller;
  region: string;
  sourceIp: string;
  userAgent: string;
  requestId: string;
  time: Date;
}

const CREDENTIAL_OPERATIONS = new Set(['AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity', 'AssumeRoot', 'GetSessionToken', 'GetFederationToken']);
const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\//;
const USER_AGENT_MAX = 1024;

export function isReadOnly(service: ApiCall['service'], operation: string): boolean {
  return service === 'sts' || /^(Get|List|Simulate|Lookup|Describe|Validate)/.test(operation);
}

/** `::ffff:127.0.0.1` -> `127.0.0.1` (CloudTrail shows IPv4 clients as IPv4). */
export function sourceAddress(remote: string): string {
  return remote.startsWith('::ffff:') && remote.includes('.') ? remote.slice(7) : remote;
}

/** The account an AssumeRole* call targets, from its RoleArn. */
export function roleAccountOf(call: Pick<ApiCall, 'operation' | 'input'>): string | undefined {
  if (!call.operation.startsWith('AssumeRole')) return undefined;
  const arn = call.input?.RoleArn;
  return typeof arn === 'string' ? ROLE_ARN.exec(arn)?.[1] : undefined;
}

/** The account whose trail receives the call: the caller's, else (unsigned calls) the role's. */
export function recipientOf(call: ApiCall): string | undefined {
  return call.caller?.accountId ?? roleAccountOf(call);
}

/** Parameters that exist only because of the caller's session (CloudTrail adds them for chained assumes). */
function incomingTransitiveTags(caller: Caller | undefined): Record<string, string> | undefined {
  const s = caller?.session;
  if (!s || s.transitiveTagKeys.length === 0) return undefined;
  const keys = new Set(s.transitiveTagKeys.map((k) => k.toLowerCase()));
  const out: Record<string, string> = {};
  for (const t of s.tags) if (keys.has(t.Key.toLowerCase())) out[t.Key] = t.Value;
  return Object.keys(out).length ? out : undefined;
}

export interface BuildOptions {
  newId: () => string;
  /** The role's account of a cross-account AssumeRole, when it exists: it gets its own copy. */
  crossAccount?: string;
}

/** The events for `call`: one, or two for a cross-account AssumeRole. [] if no account can receive it. */
export function apiCallEvents(call: ApiCall, opts: BuildOptions): CloudTrailEvent[] {
  const recipient = recipientOf(call);
  if (recipient === undefined) return [];
  const secrets: string[] = [];
  let requestParameters = cloudTrailElements(call.input, secrets);
  if (call.operation === 'AssumeRole') {
    const incoming = incomingTransitiveTags(call.caller);
    if (incoming) requestParameters = { incomingTransitiveTags: incoming, ...(requestParameters ?? {}) };
  }
  const readOnly = isReadOnly(call.service, call.operation);
  const responseElements =
    call.error || call.output === undefined || (readOnly && !CREDENTIAL_OPERATIONS.has(call.operation)) ? null : cloudTrailElements(call.output, secrets);
  const roleArn = typeof call.input?.RoleArn === 'string' ? call.input.RoleArn : undefined;
  const roleAccount = roleAccountOf(call);
  const userIdentity: UserIdentity = call.caller ? userIdentityOf(call.caller) : { type: 'Unknown' };

  const base = (identity: UserIdentity, eventId: string, recipientAccountId: string, sharedEventID?: string): CloudTrailEvent => {
    const e: CloudTrailEvent = {
      eventVersion: EVENT_VERSION,
      userIdentity: identity,
      eventTime: cloudTrailTime(call.time),
      eventSource: call.service === 'accessanalyzer' ? 'access-analyzer.amazonaws.com' : `${call.service}.amazonaws.com`,
      eventName: call.operation,
      awsRegion: call.service === 'iam' ? 'us-east-1' : call.region,
      sourceIPAddress: sourceAddress(call.sourceIp),
      userAgent: call.userAgent.slice(0, USER_AGENT_MAX),
    } as CloudTrailEvent;
    if (call.error) {
      e.errorCode = call.error.code;
      if (call.error.message !== undefined) e.errorMessage = scrub(call.error.message, secrets);
    }
    e.requestParameters = requestParameters;
    e.responseElements = responseElements;
    e.requestID = call.requestId;
    e.eventID = eventId;
    e.readOnly = readOnly;
    if (roleArn !== undefined && roleAccount !== undefined) e.resources = [{ accountId: roleAccount, type: 'AWS::IAM::Role', ARN: roleArn }];
    e.eventType = 'AwsApiCall';
    e.managementEvent = true;
    e.recipientAccountId = recipientAccountId;
    if (sharedEventID !== undefined) e.sharedEventID = sharedEventID;
    e.eventCategory = 'Management';
    return e;
  };

  if (opts.crossAccount === undefined || opts.crossAccount === recipient || !call.caller) return [base(userIdentity, opts.newId(), recipient)];
  const shared = opts.newId();
  return [base(userIdentity, opts.newId(), recipient, shared), base(crossAccountIdentity(call.caller), opts.newId(), opts.crossAccount, shared)];
}
