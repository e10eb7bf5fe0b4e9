/**
 * Credential issuance that no API call carries: an AWS service obtaining a role's credentials on
 * its own (EC2 for an instance profile, ...). CloudTrail records these as an sts:AssumeRole
 * event whose userIdentity is `AWSService` with `invokedBy`, and whose source IP and user agent
 * are the service principal; the session name is the instance id for EC2.
 */
import { EVENT_VERSION, type CloudTrailEvent } from './event.js';
import { cloudTrailTime, serviceIdentity } from './identity.js';
import { cloudTrailDate } from './redact.js';

export interface ServiceAssumeRole {
  /** `ec2.amazonaws.com`, ... */
  servicePrincipal: string;
  role: { arn: string; id: string; accountId: string; name: string };
  sessionName: string;
  /** The issued temporary key id (ASIA...); the secret and token are never part of an event. */
  accessKeyId: string;
  expiration: Date;
  durationSeconds?: number;
  region: string;
  time: Date;
  requestId: string;
  eventId: string;
  sharedEventId?: string;
}

export function serviceAssumeRoleEvent(a: ServiceAssumeRole): CloudTrailEvent {
  const requestParameters: Record<string, unknown> = { roleArn: a.role.arn, roleSessionName: a.sessionName };
  if (a.durationSeconds !== undefined) requestParameters.durationSeconds = a.durationSeconds;
  const e: CloudTrailEvent = {
    eventVersion: EVENT_VERSION,
    userIdentity: serviceIdentity(a.servicePrincipal),
    eventTime: cloudTrailTime(a.time),
    eventSource: 'sts.amazonaws.com',
    eventName: 'AssumeRole',
    awsRegion: a.region,
    sourceIPAddress: a.servicePrincipal,
    userAgent: a.servicePrincipal,
    requestParameters,
    responseElements: {
      // The format AWS writes credentials' expiration in ("Jul 4, 2019 4:29:29 PM"), as in every other AssumeRole event.
      credentials: { accessKeyId: a.accessKeyId, expiration: cloudTrailDate(a.expiration) },
      assumedRoleUser: { assumedRoleId: `${a.role.id}:${a.sessionName}`, arn: `arn:aws:sts::${a.role.accountId}:assumed-role/${a.role.name}/${a.sessionName}` },
    },
    requestID: a.requestId,
    eventID: a.eventId,
    readOnly: true,
    resources: [{ accountId: a.role.accountId, type: 'AWS::IAM::Role', ARN: a.role.arn }],
    eventType: 'AwsApiCall',
    managementEvent: true,
    recipientAccountId: a.role.accountId,
    eventCategory: 'Management',
  };
  if (a.sharedEventId !== undefined) e.sharedEventID = a.sharedEventId;
  return e;
}
