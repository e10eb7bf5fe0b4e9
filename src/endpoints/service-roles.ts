/**
 * Service roles, assembled: the EC2 instance and ECS task services, the per-instance metadata
 * listeners, the container credentials endpoint and the workload control-plane API. main.ts
 * calls this once; `close` stops every instance metadata listener.
 */
import type { Logger } from 'pino';
import type { AuditTrail } from '../audit/event.js';
import type { Authorizer } from '../authz/authorizer.js';
import type { Clock } from '../domain/clock.js';
import type { Random } from '../domain/random.js';
import type { AuthenticateDeps } from '../gateway/authenticate.js';
import type { WorkloadDeps } from '../services/workloads/launch.js';
import { InstanceService } from '../services/workloads/instances.js';
import { TaskService } from '../services/workloads/tasks.js';
import type { Store } from '../store/ports.js';
import type { SessionIssuer } from '../tokens/claims.js';
import { containerCredentialsEndpoint } from './container-credentials.js';
import type { Endpoint } from './endpoint.js';
import { imdsHandler, ImdsTokens } from './imds.js';
import { ImdsListeners } from './imds-listeners.js';
import { workloadApiEndpoint } from './workload-api.js';

export interface ServiceRoleDeps {
  store: Store;
  clock: Clock;
  random: Random;
  authorizer: Authorizer;
  sessions: SessionIssuer;
  resolveSessionToken?: AuthenticateDeps['resolveSessionToken'];
  logger: Logger;
  defaultRegion: string;
  audit?: AuditTrail;
}

export interface ServiceRoles {
  endpoints: Endpoint[];
  instances: InstanceService;
  tasks: TaskService;
  close(): Promise<void>;
}

export async function startServiceRoles(deps: ServiceRoleDeps): Promise<ServiceRoles> {
  const workloads: WorkloadDeps = { store: deps.store, clock: deps.clock, random: deps.random, authorizer: deps.authorizer, sessions: deps.sessions };
  if (deps.audit) workloads.audit = deps.audit;
  const instances = new InstanceService(workloads);
  const tasks = new TaskService(workloads);
  const tokens = new ImdsTokens(deps.random);
  const listeners = new ImdsListeners(
    (id) => imdsHandler({ instances, clock: deps.clock, tokens }, id),
    (err) => deps.logger.error({ err }, 'instance metadata: http error'),
  );
  instances.attachHost(listeners);
  await instances.resume();
  const api = workloadApiEndpoint({
    store: deps.store,
    clock: deps.clock,
    random: deps.random,
    instances,
    tasks,
    workloads,
    logger: deps.logger,
    defaultRegion: deps.defaultRegion,
    ...(deps.resolveSessionToken ? { resolveSessionToken: deps.resolveSessionToken } : {}),
    ...(deps.audit ? { audit: deps.audit } : {}),
  });
  return { endpoints: [containerCredentialsEndpoint(tasks), api], instances, tasks, close: () => listeners.closeAll() };
}
