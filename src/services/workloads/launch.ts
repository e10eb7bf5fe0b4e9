/**
 * What launching a workload with a role costs its launcher, as on AWS: the service's own action
 * (ec2:RunInstances, ecs:RunTask, lambda:CreateFunction) and iam:PassRole on the role, with
 * iam:PassedToService naming the service that will assume it (and iam:AssociatedResourceARN the
 * resource it is passed for, where AWS sets it).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_passrole.html
 */
import type { ServiceAssumeDeps } from '../sts/service-assume-role.js';
import { AwsError } from '../../domain/aws-error.js';
import type { Caller } from '../../domain/caller.js';
import type { Random } from '../../domain/random.js';
import type { ContextValue } from '../../policy/index.js';
import type { WorkloadError } from './workload-error.js';

/** What every workload service needs: what a service needs to assume a role. */
export type WorkloadDeps = ServiceAssumeDeps;

/** The signed request that asks for a launch: who, from where (condition keys), which region. */
export interface LaunchRequest {
  caller: Caller;
  region: string;
  /** Request-wide and caller keys (aws:SourceIp, aws:PrincipalArn, ...). */
  context: Record<string, ContextValue>;
}

/** Authorizes one action; an AccessDenied becomes the service's own error, AWS's message kept. */
export async function authorizeAction(
  deps: Pick<WorkloadDeps, 'authorizer'>,
  req: LaunchRequest,
  action: string,
  resource: string,
  keys: Record<string, ContextValue>,
  asError: (message: string) => WorkloadError,
): Promise<void> {
  try {
    await deps.authorizer.authorize({ caller: req.caller, action, resources: [resource], context: { ...req.context, ...keys } });
  } catch (e) {
    if (e instanceof AwsError && e.code === 'AccessDenied') throw asError(e.message);
    throw e;
  }
}

/** iam:PassRole on `roleArn` for `service` (and, when known, the resource it is passed for). */
export function authorizePassRole(deps: Pick<WorkloadDeps, 'authorizer'>, req: LaunchRequest, roleArn: string, service: string, asError: (message: string) => WorkloadError, associatedResourceArn?: string): Promise<void> {
  const keys: Record<string, ContextValue> = { 'iam:PassedToService': service };
  if (associatedResourceArn) keys['iam:AssociatedResourceARN'] = associatedResourceArn;
  return authorizeAction(deps, req, 'iam:PassRole', roleArn, keys, asError);
}

/** Lower-case hex digits from the injected randomness (instance ids, task ids). */
export function randomHex(random: Random, digits: number): string {
  return random.bytes(Math.ceil(digits / 2)).toString('hex').slice(0, digits);
}

/**
 * A role ARN from an ARN or a role name of the caller's account (ECS accepts either for a task
 * role; Rolecall accepts both everywhere). A name resolves to the stored role's ARN (its path
 * included), or to the root-path ARN when there is no such role (the launch then fails where AWS
 * fails it).
 */
export async function roleArnOf(deps: Pick<WorkloadDeps, 'store'>, accountId: string, ref: string): Promise<string> {
  if (ref.startsWith('arn:')) return ref;
  if (!/^[\w+=,.@-]{1,64}$/.test(ref)) return ref;
  return (await deps.store.roles.get(accountId, ref))?.arn ?? `arn:aws:iam::${accountId}:role/${ref}`;
}
