/**
 * An event as the store keeps it: its JSON (serialized once, here) plus what LookupEvents
 * filters on and what the event counts as a use of.
 *
 * LookupEvents' Resources follow what CloudTrail lists (observed in `aws cloudtrail
 * lookup-events` output): for AssumeRole the issued key (AWS::IAM::AccessKey), the session as
 * AWS::STS::AssumedRole three times (session name, `AROA...:session`, assumed-role ARN) and the
 * role (AWS::IAM::Role, by ARN); for IAM calls the entities the request names.
 *
 * Uses (RoleLastUsed, GetAccessKeyLastUsed, https://docs.aws.amazon.com/IAM/latest/APIReference/API_RoleLastUsed.html):
 * - an access key is used by every authenticated request signed with it (long-term keys only:
 *   GetAccessKeyLastUsed describes AKIA keys);
 * - a role is used when credentials for it are issued (AssumeRole*, or a service such as EC2
 *   fetching instance-profile credentials) and by every request its sessions make.
 */
import type { AuditRecord, AuditResource, AuditUse } from '../store/ports.js';
import type { CloudTrailEvent } from './event.js';
import { lookupUsername } from './identity.js';

/** Request (and response) members that name an IAM resource, and the resource type they name. */
const NAMED_RESOURCES: ReadonlyArray<[string, string]> = [
  ['roleName', 'AWS::IAM::Role'],
  ['userName', 'AWS::IAM::User'],
  ['groupName', 'AWS::IAM::Group'],
  ['policyArn', 'AWS::IAM::Policy'],
  ['instanceProfileName', 'AWS::IAM::InstanceProfile'],
  ['accessKeyId', 'AWS::IAM::AccessKey'],
  ['serialNumber', 'AWS::IAM::MFADevice'],
  // The type name AWS Config and CloudFormation use; not confirmed in CloudTrail lookup output.
  ['openIDConnectProviderArn', 'AWS::IAM::OIDCProvider'],
  // As above: AWS Config's type name for a SAML provider.
  ['sAMLProviderArn', 'AWS::IAM::SAMLProvider'],
];

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const obj = (v: unknown): Record<string, unknown> | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);

export function lookupResources(e: CloudTrailEvent): AuditResource[] {
  const out: AuditResource[] = [];
  const add = (type: string, name: string | undefined) => {
    if (name !== undefined && !out.some((r) => r.type === type && r.name === name)) out.push({ type, name });
  };
  const req = e.requestParameters ?? {};
  const res = e.responseElements ?? {};
  if (e.eventSource === 'sts.amazonaws.com') {
    add('AWS::IAM::AccessKey', str(obj(res.credentials)?.accessKeyId));
    const assumed = obj(res.assumedRoleUser);
    if (assumed) {
      add('AWS::STS::AssumedRole', str(req.roleSessionName));
      add('AWS::STS::AssumedRole', str(assumed.assumedRoleId));
      add('AWS::STS::AssumedRole', str(assumed.arn));
    }
    const federated = obj(res.federatedUser);
    if (federated) {
      add('AWS::STS::FederatedUser', str(federated.federatedUserId));
      add('AWS::STS::FederatedUser', str(federated.arn));
    }
    add('AWS::IAM::Role', str(req.roleArn));
  } else if (e.eventSource === 'iam.amazonaws.com') {
    for (const [member, type] of NAMED_RESOURCES) add(type, str(req[member]));
    add('AWS::IAM::AccessKey', str(obj(res.accessKey)?.accessKeyId));
    add('AWS::IAM::Policy', str(obj(res.policy)?.arn));
    add('AWS::IAM::MFADevice', str(obj(res.virtualMFADevice)?.serialNumber));
    add('AWS::IAM::OIDCProvider', str(res.openIDConnectProviderArn));
    add('AWS::IAM::SAMLProvider', str(res.sAMLProviderArn));
  }
  for (const r of e.resources ?? []) if (r.type) add(r.type, r.ARN);
  return out;
}

export function usesOf(e: CloudTrailEvent, at: Date): AuditUse[] {
  const uses: AuditUse[] = [];
  const service = e.eventSource.replace(/\.amazonaws\.com$/, '');
  const id = e.userIdentity;
  const use = (kind: AuditUse['kind'], useId: string) => uses.push({ kind, id: useId, date: at, region: e.awsRegion, service });
  if ((id.type === 'IAMUser' || id.type === 'Root') && id.accessKeyId?.startsWith('AKIA')) use('access-key', id.accessKeyId);
  const issuer = id.sessionContext?.sessionIssuer;
  if (id.type === 'AssumedRole' && issuer?.type === 'Role' && issuer.principalId) use('role', issuer.principalId);
  if (e.eventName.startsWith('AssumeRole') && e.errorCode === undefined) {
    const assumedId = str(obj(e.responseElements?.assumedRoleUser)?.assumedRoleId);
    if (assumedId) use('role', assumedId.split(':')[0] as string);
  }
  return uses;
}

/** The stored form of `e`. `at` (ms precision) defaults to the event's eventTime. */
export function toAuditRecord(e: CloudTrailEvent, at?: Date): AuditRecord {
  const time = at ?? new Date(e.eventTime);
  if (Number.isNaN(time.getTime())) throw new TypeError(`audit: invalid eventTime ${JSON.stringify(e.eventTime)}`);
  const rec: AuditRecord = {
    eventId: e.eventID,
    accountId: e.recipientAccountId,
    eventTime: time,
    eventName: e.eventName,
    eventSource: e.eventSource,
    readOnly: e.readOnly,
    resources: lookupResources(e),
    json: JSON.stringify(e),
    uses: usesOf(e, time),
  };
  const username = lookupUsername(e.userIdentity);
  if (username !== undefined) rec.username = username;
  if (e.userIdentity.accessKeyId) rec.accessKeyId = e.userIdentity.accessKeyId;
  return rec;
}
