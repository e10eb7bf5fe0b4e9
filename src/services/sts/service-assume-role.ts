/**
 * An AWS service principal (ec2.amazonaws.com, ecs-tasks.amazonaws.com, lambda.amazonaws.com)
 * assuming a role on behalf of a workload it runs: the role's trust policy must allow the service
 * (`"Principal": {"Service": "..."}`), evaluated by the real engine through the Authorizer as the
 * resource policy of an sts:AssumeRole request, with the confused-deputy keys the service sets:
 * aws:SourceAccount (the workload's account) and aws:SourceArn (the workload's ARN).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-service.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
 *
 * Each issuance, allowed or denied, is recorded as a CloudTrail AssumeRole event whose
 * userIdentity is the service ({type: AWSService, invokedBy}), as CloudTrail logs it.
 */
import { AwsError } from '../../domain/aws-error.js';
import type { Caller } from '../../domain/caller.js';
import type { Clock } from '../../domain/clock.js';
import { isoSeconds } from '../../domain/clock.js';
import type { Random } from '../../domain/random.js';
import type { AuditTrail, CloudTrailEvent } from '../../audit/event.js';
import { auditEventId } from '../../audit/ids.js';
import { serviceAssumeRoleEvent } from '../../audit/service-events.js';
import { callerContext, type Authorizer } from '../../authz/authorizer.js';
import type { ContextValue } from '../../policy/index.js';
import type { RoleRecord, Store } from '../../store/ports.js';
import type { SessionIssuer } from '../../tokens/claims.js';
import { authorizeOnRole, findRoleByArn, issueRoleSession, roleTagContext, trustPolicyOf, type RoleSession } from './role-trust.js';

export const EC2_SERVICE = 'ec2.amazonaws.com';
export const ECS_TASKS_SERVICE = 'ecs-tasks.amazonaws.com';
export const LAMBDA_SERVICE = 'lambda.amazonaws.com';

/** The caller the engine sees when a service assumes a role: a `Service` request principal. */
export function serviceCaller(service: string): Caller {
  return { kind: 'service', accountId: '', principal: { type: 'Service', service }, userId: service, arn: service, accessKeyId: '' };
}

export interface ServiceAssumeDeps {
  store: Store;
  clock: Clock;
  random: Random;
  authorizer: Authorizer;
  sessions: SessionIssuer;
  audit?: AuditTrail;
}

export interface ServiceAssumeRequest {
  service: string;
  roleArn: string;
  /** The session name the service uses: the instance id, the task id, the function name. */
  sessionName: string;
  durationSeconds: number;
  /** aws:SourceAccount: the account that owns the workload. */
  sourceAccount: string;
  /** aws:SourceArn: the workload (instance, task, function) ARN. */
  sourceArn: string;
  region: string;
}

export interface ServiceSession extends RoleSession {
  role: RoleRecord;
}


/** The refusal as the service reports it (the workload's error). */
function notAssumable(req: ServiceAssumeRequest): AwsError {
  return new AwsError('AccessDenied', `${req.service} is not authorized to perform: sts:AssumeRole on resource: ${req.roleArn}`);
}

/**
 * Assumes the role for the service, or throws AccessDenied (the role does not exist, or its trust
 * policy does not allow this service with these source keys). Always audited.
 */
export async function assumeRoleAsService(deps: ServiceAssumeDeps, req: ServiceAssumeRequest): Promise<ServiceSession> {
  const now = deps.clock.now();
  let session: ServiceSession | undefined;
  let failure: AwsError | undefined;
  try {
    const role = await findRoleByArn(deps.store, req.roleArn);
    if (!role) throw notAssumable(req);
    const caller = serviceCaller(req.service);
    const context: Record<string, ContextValue> = {
      ...callerContext(caller, now),
      'aws:CurrentTime': isoSeconds(now),
      'aws:EpochTime': String(Math.floor(now.getTime() / 1000)),
      'aws:RequestedRegion': req.region,
      'aws:SourceAccount': req.sourceAccount,
      'aws:SourceArn': req.sourceArn,
      'sts:RoleSessionName': req.sessionName,
    };
    roleTagContext(role, context);
    const trust = await trustPolicyOf(role, deps.store);
    await authorizeOnRole(deps.authorizer, { caller, role, trust, action: 'sts:AssumeRole', context }, () => notAssumable(req));
    const issuedAt = Math.floor(now.getTime() / 1000);
    const s = await issueRoleSession(deps.sessions, role, req.sessionName, issuedAt, req.durationSeconds, { originalCaller: req.service, invokedBy: req.service });
    session = { ...s, role };
  } catch (e) {
    if (!(e instanceof AwsError)) throw e;
    failure = e;
  }
  // INVARIANT: credentials leave only once their issuance is on the audit trail.
  if (deps.audit) await deps.audit.record(assumeRoleEvent(deps.random, now, req, session, failure));
  if (failure) throw failure;
  return session as ServiceSession;
}

/**
 * The CloudTrail record of a service's AssumeRole (never a secret: the access key id and the
 * expiration are logged, not the secret key nor the session token). Success: the audit module's
 * service event; failure: the same event with the error and no response elements.
 */
export function assumeRoleEvent(random: Random, now: Date, req: ServiceAssumeRequest, session: ServiceSession | undefined, failure: AwsError | undefined): CloudTrailEvent {
  const account = /^arn:aws:iam::(\d{12}):/.exec(req.roleArn)?.[1] ?? req.sourceAccount;
  const name = req.roleArn.slice(req.roleArn.lastIndexOf('/') + 1);
  const event = serviceAssumeRoleEvent({
    servicePrincipal: req.service,
    role: session ? { arn: session.role.arn, id: session.role.id, accountId: session.role.accountId, name: session.role.name } : { arn: req.roleArn, id: '', accountId: account, name },
    sessionName: req.sessionName,
    accessKeyId: session?.Credentials.AccessKeyId ?? '',
    expiration: session?.Credentials.Expiration ?? now,
    durationSeconds: req.durationSeconds,
    region: req.region,
    time: now,
    requestId: random.uuid(),
    eventId: auditEventId(random, now),
  });
  if (!session) event.responseElements = null;
  if (failure) {
    event.errorCode = failure.code;
    event.errorMessage = failure.message;
  }
  return event;
}
