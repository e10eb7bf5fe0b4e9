/** The audit trail: CloudTrail-format events, group-committed to the store. */
export { EVENT_VERSION, NO_HOLD, type AuditHold, type AuditTrail, type CloudTrailEvent, type RecordOptions, type SessionIssuer, type UserIdentity, type UserIdentityType } from './event.js';
export { auditEventId } from './ids.js';
export { cloudTrailTime, crossAccountIdentity, lookupUsername, serviceIdentity, userIdentityOf } from './identity.js';
export { apiCallEvents, isReadOnly, sourceAddress, type ApiCall } from './api-call.js';
export { cloudTrailDate, cloudTrailElements, HIDDEN, scrub, SECRET_MEMBERS, toCloudTrailShape } from './redact.js';
export { lookupResources, toAuditRecord, usesOf } from './record.js';
export { GroupCommitAuditTrail, type GroupCommitOptions, type GroupCommitStats } from './writer.js';
export { GatewayAudit, type AuditedRequest, type GatewayAuditDeps } from './gateway-audit.js';
export { DEFAULT_RETENTION_DAYS, LAST_USED_TRACKING_DAYS, pruneAudit, startRetention, type PruneResult, type RetentionTask } from './retention.js';
export { serviceAssumeRoleEvent, type ServiceAssumeRole } from './service-events.js';
