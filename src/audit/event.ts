/**
 * The audit record: one CloudTrail-format event per API call and per credential issuance,
 * success or failure. Field names and shapes follow the CloudTrail record contents reference
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html)
 * and the userIdentity element
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-user-identity.html).
 *
 * INVARIANT: no event ever carries a secret: no secret access key, session token, TOTP code or
 * password, in requestParameters, responseElements, errorMessage or anywhere else.
 */

export type UserIdentityType = 'Root' | 'IAMUser' | 'AssumedRole' | 'FederatedUser' | 'AWSAccount' | 'AWSService' | 'WebIdentityUser' | 'SAMLUser' | 'Unknown';

export interface SessionIssuer {
  type: 'Role' | 'IAMUser' | 'Root';
  principalId: string;
  arn: string;
  accountId: string;
  userName: string;
}

export interface UserIdentity {
  type: UserIdentityType;
  principalId?: string;
  arn?: string;
  accountId?: string;
  accessKeyId?: string;
  userName?: string;
  /** The AWS service that made the request on the principal's behalf (e.g. ec2.amazonaws.com). */
  invokedBy?: string;
  sessionContext?: {
    sessionIssuer?: SessionIssuer;
    attributes: { creationDate: string; mfaAuthenticated: 'true' | 'false' };
    sourceIdentity?: string;
    webIdFederationData?: Record<string, unknown>;
  };
  identityProvider?: string;
}

export interface CloudTrailEvent {
  eventVersion: string;
  userIdentity: UserIdentity;
  /** ISO 8601, second precision, UTC ("2026-12-02T03:04:05Z"). */
  eventTime: string;
  eventSource: string; // iam.amazonaws.com, sts.amazonaws.com, ...
  eventName: string;
  awsRegion: string;
  sourceIPAddress: string;
  userAgent: string;
  requestParameters: Record<string, unknown> | null;
  responseElements: Record<string, unknown> | null;
  errorCode?: string;
  errorMessage?: string;
  requestID: string;
  eventID: string;
  readOnly: boolean;
  resources?: Array<{ ARN: string; accountId: string; type?: string }>;
  eventType: 'AwsApiCall' | 'AwsServiceEvent';
  managementEvent: boolean;
  /** The account that receives this copy of the event. */
  recipientAccountId: string;
  /** Cross-account calls: the same id on the copy in each account. */
  sharedEventID?: string;
  eventCategory: 'Management';
}

/** The record format version Rolecall writes (the fields above). */
export const EVENT_VERSION = '1.11';

export interface RecordOptions {
  /**
   * When it happened, to the millisecond (orders events within a second; the event's eventTime
   * has whole seconds). Default: eventTime.
   */
  at?: Date;
}

/**
 * Where events go. `record` resolves once the event is durably stored (group commit): whoever
 * answers a client awaits it first, so an answer the client received implies a stored event.
 * It rejects if the event could not be stored. Never await it inside a store transaction: the
 * batch is written in a transaction of its own, once the connection is free.
 */
export interface AuditTrail {
  record(event: CloudTrailEvent, opts?: RecordOptions): Promise<void>;
  /**
   * Announces an event (or none) on its way: a request the gateway is working on. A group-commit
   * trail may hold its next batch back (briefly) until every open hold has recorded or released,
   * so that one commit covers the requests in flight. Release it once the request's events are
   * recorded (before awaiting them) or once it is known there are none.
   */
  hold?(): AuditHold;
}

/** See AuditTrail.hold. `release` may be called more than once; only the first counts. */
export interface AuditHold {
  release(): void;
}

export const NO_HOLD: AuditHold = Object.freeze({ release() {} });
