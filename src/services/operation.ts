/**
 * The contract between the gateway and the services. An operation is typed data plus behaviour:
 * which IAM action and resource ARN(s) the request is authorized against (computed from the
 * input before anything runs), extra condition keys, and `run`. Operations never see HTTP or
 * XML; they return output in the AWS shape (PascalCase members as in the service model) or throw
 * AwsError.
 */
import type { Caller } from '../domain/caller.js';
import type { Clock } from '../domain/clock.js';
import type { Random } from '../domain/random.js';
import type { AuditTrail } from '../audit/event.js';
import type { Authorizer } from '../authz/authorizer.js';
import type { ContextValue } from '../policy/index.js';
import type { Store } from '../store/ports.js';
import type { SessionIssuer } from '../tokens/claims.js';
import type { WebIdentityKeySource } from './sts/web-identity-token.js';

export type ServiceName = 'iam' | 'sts' | 'cloudtrail' | 'accessanalyzer';

export interface OperationContext {
  store: Store;
  clock: Clock;
  random: Random;
  /** The authenticated caller; undefined only for operations with `auth: 'none'`. */
  caller: Caller | undefined;
  requestId: string;
  /** The region from the request's signature scope (IAM is global; STS answers per region). */
  region: string;
  /** For operations that authorize themselves (sts:AssumeRole* with the trust policy). */
  authorizer?: Authorizer;
  /** Request-wide and caller condition keys (aws:SourceIp, aws:CurrentTime, aws:PrincipalArn, ...). */
  requestContext?: Record<string, ContextValue>;
  /** Mints temporary credentials (STS). */
  sessions?: SessionIssuer;
  /** OpenID Connect issuers' signing keys (AssumeRoleWithWebIdentity). */
  webIdentityKeys?: WebIdentityKeySource;
  /** The audit trail, for operations that record more than their own call (e.g. cross-account copies). */
  audit?: AuditTrail;
  /**
   * Unsigned operations: who the call turned out to come from, once known (the web identity of a
   * verified token), for the audit record of the call, success or failure.
   */
  unsignedCaller?: Caller;
  /** Trust policies with analyzer findings at or above this level are refused (--trust-guardrail). */
  trustGuardrail?: 'error' | 'security';
}

/**
 * The same context with another store (a transaction's): its condition keys included, which a
 * plain spread would drop when they are computed on first use (the gateway's context).
 */
export function withStore(ctx: OperationContext, store: Store): OperationContext {
  return { ...ctx, requestContext: ctx.requestContext, store };
}

export interface Operation<I = Record<string, unknown>, O = Record<string, unknown>> {
  service: ServiceName;
  /** The model's operation name, e.g. `CreateRole`. */
  name: string;
  /**
   * `signed` (default): SigV4 required and the action authorized by policy.
   * `signed-unauthorized`: SigV4 required, no policy check (GetCallerIdentity, GetSessionToken).
   * `none`: unsigned calls allowed (AssumeRoleWithWebIdentity / WithSAML).
   */
  auth?: 'signed' | 'signed-unauthorized' | 'none';
  /** The IAM action, default `${service}:${name}`. */
  action?: string;
  /**
   * The resource ARN(s) to authorize against; `['*']` when the action has no resource. IAM entity
   * ARNs given with the root path (`arn:aws:iam::A:user/NAME`) are completed by the gateway with
   * the stored entity's real path.
   */
  resources(input: I, ctx: OperationContext): string[] | Promise<string[]>;
  /** Request-specific condition keys (e.g. `aws:RequestTag/k`, `aws:TagKeys`, `iam:PermissionsBoundary`). */
  conditionKeys?(input: I, ctx: OperationContext): Record<string, ContextValue> | Promise<Record<string, ContextValue>>;
  /** Exact resources and condition keys read from the store (stored path, resource tags); wins over the two above. */
  resolveAuthorization?(input: I, ctx: OperationContext): Promise<{ resources: string[]; conditionKeys: Record<string, ContextValue> }>;
  run(input: I, ctx: OperationContext): Promise<O>;
}

/** Helper so each operation file gets its input/output types checked. */
export function defineOperation<I, O>(op: Operation<I, O>): Operation<I, O> {
  return op;
}
