/**
 * The control plane of simulated workloads, on the main port: SigV4-signed JSON, authenticated
 * exactly as the AWS APIs are (long-term or session credentials), authorized with the service's
 * action plus iam:PassRole, audited as the API call it stands for.
 *
 *   POST /_rolecall/ec2/RunInstances                   {IamInstanceProfile:{Name|Arn}, MetadataOptions:{HttpTokens}, ImageId?, InstanceType?}
 *   POST /_rolecall/ec2/DescribeInstances              {InstanceIds?}
 *   POST /_rolecall/ec2/TerminateInstances             {InstanceIds}
 *   POST /_rolecall/ec2/ModifyInstanceMetadataOptions  {InstanceId, HttpTokens}
 *   POST /_rolecall/ecs/RunTask                        {TaskRoleArn}
 *   POST /_rolecall/ecs/StopTask                       {Task}
 *   POST /_rolecall/lambda/ExecutionCredentials        {Role, FunctionName?, DurationSeconds?}
 *
 * Sign with the service name of the path (ec2, ecs, lambda) and any region: the region names the
 * workload's region. Errors are `{"__type": code, "message": ...}` with the HTTP status of the
 * service's error (docs/service-roles.md).
 */
import type { Logger } from 'pino';
import { EVENT_VERSION, type AuditTrail, type CloudTrailEvent } from '../audit/event.js';
import { cloudTrailTime, userIdentityOf } from '../audit/identity.js';
import { auditEventId } from '../audit/ids.js';
import { cloudTrailElements, scrub } from '../audit/redact.js';
import { callerContext } from '../authz/authorizer.js';
import { AwsError } from '../domain/aws-error.js';
import type { Caller } from '../domain/caller.js';
import type { Clock } from '../domain/clock.js';
import type { Random } from '../domain/random.js';
import { authenticate, sigv4AwsError, type AuthenticateDeps } from '../gateway/authenticate.js';
import { requestKeys } from '../gateway/request-keys.js';
import type { HttpRequest, HttpResponse } from '../http/server.js';
import { missingAuthenticationToken, parseAuth, type RawRequest } from '../sigv4/index.js';
import type { Store } from '../store/ports.js';
import type { InstanceService } from '../services/workloads/instances.js';
import type { LaunchRequest, WorkloadDeps } from '../services/workloads/launch.js';
import { functionCredentials } from '../services/workloads/functions.js';
import type { TaskService } from '../services/workloads/tasks.js';
import { WorkloadError } from '../services/workloads/workload-error.js';
import type { Endpoint } from './endpoint.js';

export const WORKLOAD_API_PREFIX = '/_rolecall/';

export interface WorkloadApiDeps {
  store: Store;
  clock: Clock;
  random: Random;
  instances: InstanceService;
  tasks: TaskService;
  workloads: WorkloadDeps;
  resolveSessionToken?: AuthenticateDeps['resolveSessionToken'];
  logger: Logger;
  defaultRegion: string;
  audit?: AuditTrail;
}

type Service = 'ec2' | 'ecs' | 'lambda';
const EVENT_SOURCE: Record<Service, string> = { ec2: 'ec2.amazonaws.com', ecs: 'ecs.amazonaws.com', lambda: 'lambda.amazonaws.com' };
const READ_ONLY = new Set(['DescribeInstances']);
const ROUTE_RE = /^\/_rolecall\/(ec2|ecs|lambda)\/([A-Za-z]+)$/;

function header(req: HttpRequest, name: string): string | undefined {
  for (const [k, v] of req.headers) if (k.toLowerCase() === name) return v;
  return undefined;
}


function respond(status: number, body: unknown, requestId: string, errorType?: string): HttpResponse {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amzn-requestid': requestId };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  return { status, headers, body: JSON.stringify(body) };
}

const asStringList = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined);

export function workloadApiEndpoint(deps: WorkloadApiDeps): Endpoint {
  async function dispatch(service: Service, op: string, req: LaunchRequest, input: Record<string, unknown>): Promise<unknown> {
    switch (`${service}:${op}`) {
      case 'ec2:RunInstances': {
        const i = await deps.instances.run(req, input as Parameters<InstanceService['run']>[1]);
        return { Instances: [i], OwnerId: req.caller.accountId };
      }
      case 'ec2:DescribeInstances':
        return { Instances: await deps.instances.describe(req, asStringList(input.InstanceIds)) };
      case 'ec2:TerminateInstances':
        return { TerminatingInstances: await deps.instances.terminate(req, asStringList(input.InstanceIds) ?? []) };
      case 'ec2:ModifyInstanceMetadataOptions': {
        if (typeof input.InstanceId !== 'string') throw new WorkloadError('MissingParameter', 400, 'The request must contain the parameter InstanceId');
        return deps.instances.modifyMetadataOptions(req, input.InstanceId, typeof input.HttpTokens === 'string' ? input.HttpTokens : undefined);
      }
      case 'ecs:RunTask':
        return deps.tasks.run(req, { ...(typeof input.TaskRoleArn === 'string' ? { TaskRoleArn: input.TaskRoleArn } : {}) });
      case 'ecs:StopTask':
        return deps.tasks.stop(req, typeof input.Task === 'string' ? input.Task : undefined);
      case 'lambda:ExecutionCredentials':
        return functionCredentials(deps.workloads, req, input as Parameters<typeof functionCredentials>[2]);
      default:
        throw new WorkloadError('InvalidAction', 400, `The action ${op} is not valid for this web service.`);
    }
  }

  /** The API call's audit record (what CloudTrail keeps: never a secret, never the body's tokens). */
  function event(service: Service, op: string, caller: Caller | undefined, region: string, req: HttpRequest, requestId: string, input: Record<string, unknown> | undefined, error?: { code: string; message: string }): CloudTrailEvent {
    // The same shape as the IAM and STS events (src/audit/api-call.ts): the caller's identity with
    // its userName and sessionContext, camelCase parameters without secrets, a time-ordered id.
    const now = deps.clock.now();
    const secrets: string[] = [];
    const e: CloudTrailEvent = {
      eventVersion: EVENT_VERSION,
      userIdentity: caller ? userIdentityOf(caller) : { type: 'Unknown' },
      eventTime: cloudTrailTime(now),
      eventSource: EVENT_SOURCE[service],
      eventName: op,
      awsRegion: region,
      sourceIPAddress: req.remoteAddress,
      userAgent: header(req, 'user-agent') ?? '',
      requestParameters: input ? cloudTrailElements(input, secrets) : null,
      responseElements: null,
      requestID: requestId,
      eventID: auditEventId(deps.random, now),
      readOnly: READ_ONLY.has(op),
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: caller?.accountId ?? '',
      eventCategory: 'Management',
    };
    if (error) {
      e.errorCode = error.code;
      e.errorMessage = scrub(error.message, secrets);
    }
    return e;
  }

  return {
    name: 'workload-api',
    matches: (req) => ROUTE_RE.test(req.path),
    async handle(req) {
      const requestId = deps.random.uuid();
      const [, service, op] = ROUTE_RE.exec(req.path) as unknown as [string, Service, string];
      let caller: Caller | undefined;
      let region = deps.defaultRegion;
      let input: Record<string, unknown> | undefined;
      try {
        if (req.method !== 'POST') throw new WorkloadError('InvalidAction', 400, 'Use POST with a JSON body.');
        const raw: RawRequest = { method: req.method, path: req.path, query: req.query, headers: req.headers, bodySha256Hex: req.bodySha256Hex };
        const parsed = parseAuth(raw);
        if (!parsed.ok) throw sigv4AwsError(parsed.error);
        if (!parsed.auth) throw sigv4AwsError(missingAuthenticationToken());
        const now = deps.clock.now();
        caller = (await authenticate(raw, parsed.auth, { store: deps.store, now, resolveSessionToken: deps.resolveSessionToken })).caller;
        region = parsed.auth.region;
        try {
          const body = req.body.length ? (JSON.parse(req.body.toString('utf8')) as unknown) : {};
          if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new Error('not an object');
          input = body as Record<string, unknown>;
        } catch {
          throw new WorkloadError('SerializationException', 400, 'The request body must be a JSON object.');
        }
        const context = { ...requestKeys({ now, sourceIp: req.remoteAddress, userAgent: header(req, 'user-agent'), secure: false, region }), ...callerContext(caller, now) };
        const out = await dispatch(service, op, { caller, region, context }, input);
        if (deps.audit) await deps.audit.record(event(service, op, caller, region, req, requestId, input));
        return respond(200, out, requestId);
      } catch (e) {
        let err: { code: string; message: string; status: number };
        if (e instanceof WorkloadError || e instanceof AwsError) err = { code: e.code, message: e.message, status: e.status };
        else {
          deps.logger.error({ err: e, requestId }, 'workload api: internal error');
          err = { code: 'InternalFailure', message: 'We encountered an internal error. Please try again.', status: 500 };
        }
        if (deps.audit && caller) {
          await deps.audit.record(event(service, op, caller, region, req, requestId, input, err)).catch((ae: unknown) => deps.logger.error({ err: ae, requestId }, 'audit record failed'));
        }
        return respond(err.status, { __type: err.code, message: err.message }, requestId, err.code);
      }
    },
  };
}
