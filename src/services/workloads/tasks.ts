/**
 * Simulated ECS tasks with a task role: the container credentials endpoint serves the role's
 * credentials to the task's processes, which find it through AWS_CONTAINER_CREDENTIALS_FULL_URI
 * and prove they belong to the task with AWS_CONTAINER_AUTHORIZATION_TOKEN.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-container-credentials.html
 *
 * RunTask is authorized as ecs:RunTask plus iam:PassRole with
 * iam:PassedToService=ecs-tasks.amazonaws.com; ecs-tasks.amazonaws.com assumes the role right
 * away (the trust policy must allow it, with aws:SourceAccount / aws:SourceArn = the task), and
 * a role it cannot assume fails the launch with ECS's ClientException. The session name is the
 * task id. One random 256-bit token per task; only its SHA-256 is stored, compared in constant
 * time.
 */
import { createHash } from 'node:crypto';
import { AwsError } from '../../domain/aws-error.js';
import { secretsEqual } from '../../domain/secrets.js';
import type { TaskRecord } from '../../store/ports.js';
import { assumeRoleAsService, ECS_TASKS_SERVICE, type ServiceSession } from '../sts/service-assume-role.js';
import { ROLE_ARN_RE } from '../sts/role-trust.js';
import { authorizeAction, authorizePassRole, randomHex, roleArnOf, type LaunchRequest, type WorkloadDeps } from './launch.js';
import { RotatingSessions } from './rotating-sessions.js';
import { ecsErrors } from './workload-error.js';
import { isoSeconds } from '../../domain/clock.js';

export const CONTAINER_CREDENTIALS_PATH = '/_rolecall/ecs/credentials/';
const TASK_ID_RE = /^[0-9a-f]{32}$/;
const CLUSTER = 'default';

export interface RunTaskInput {
  TaskRoleArn?: string;
}

export interface TaskView {
  TaskArn: string;
  ClusterArn: string;
  TaskDefinitionArn: string;
  LastStatus: 'RUNNING' | 'STOPPED';
  StartedAt: string;
  StartedBy: string;
  Overrides: { TaskRoleArn: string };
}

export interface RunTaskOutput {
  Task: TaskView;
  /** Rolecall: where the task's processes get credentials (relative to the server's URL). */
  ContainerCredentials: { RelativeUri: string; AuthorizationToken: string };
}

const sha256 = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
// Compared when the task does not exist, so a miss costs what a hit costs.
const NO_TASK_HASH = sha256('no such task');

function taskDefinitionArn(region: string, accountId: string): string {
  return `arn:aws:ecs:${region}:${accountId}:task-definition/rolecall:1`;
}

function view(t: TaskRecord): TaskView {
  return {
    TaskArn: t.arn,
    ClusterArn: `arn:aws:ecs:${t.region}:${t.accountId}:cluster/${CLUSTER}`,
    TaskDefinitionArn: taskDefinitionArn(t.region, t.accountId),
    LastStatus: 'RUNNING',
    StartedAt: isoSeconds(t.startedAt),
    StartedBy: t.startedBy,
    Overrides: { TaskRoleArn: t.roleArn },
  };
}

/** ECS's words when the task role cannot be assumed (RunTask / the stopped reason). */
function unableToAssume(roleArn: string) {
  return ecsErrors.client(
    `ECS was unable to assume the role '${roleArn}' that was provided for this task. Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role.`,
  );
}

export class TaskService {
  readonly sessions: RotatingSessions;

  constructor(private readonly deps: WorkloadDeps) {
    this.sessions = new RotatingSessions(deps.clock);
  }

  private issue(t: Pick<TaskRecord, 'id' | 'arn' | 'accountId' | 'region' | 'roleArn'>): Promise<ServiceSession> {
    return this.sessions.get(t.id, t.roleArn, () =>
      assumeRoleAsService(this.deps, {
        service: ECS_TASKS_SERVICE,
        roleArn: t.roleArn,
        sessionName: t.id,
        durationSeconds: this.sessions.durationSeconds,
        sourceAccount: t.accountId,
        sourceArn: t.arn,
        region: t.region,
      }),
    );
  }

  async run(req: LaunchRequest, input: RunTaskInput): Promise<RunTaskOutput> {
    const accountId = req.caller.accountId;
    if (typeof input.TaskRoleArn !== 'string' || !input.TaskRoleArn) throw ecsErrors.invalidParameter('TaskRoleArn is required: a task without a role has no credentials endpoint.');
    const roleArn = await roleArnOf(this.deps, accountId, input.TaskRoleArn);
    if (!ROLE_ARN_RE.test(roleArn)) throw ecsErrors.invalidParameter(`Role is not valid: ${input.TaskRoleArn}`);
    const id = randomHex(this.deps.random, 32);
    const arn = `arn:aws:ecs:${req.region}:${accountId}:task/${CLUSTER}/${id}`;
    await authorizeAction(this.deps, req, 'ecs:RunTask', taskDefinitionArn(req.region, accountId), { 'ecs:cluster': `arn:aws:ecs:${req.region}:${accountId}:cluster/${CLUSTER}` }, ecsErrors.accessDenied);
    await authorizePassRole(this.deps, req, roleArn, ECS_TASKS_SERVICE, ecsErrors.accessDenied);

    // The agent fetches the task's credentials before it starts the containers.
    const t: TaskRecord = { id, arn, accountId, region: req.region, roleArn, tokenSha256: '', startedAt: this.deps.clock.now(), startedBy: req.caller.arn };
    try {
      await this.issue(t);
    } catch (e) {
      if (e instanceof AwsError && e.code === 'AccessDenied') throw unableToAssume(roleArn);
      throw e;
    }
    const token = this.deps.random.bytes(32).toString('base64url');
    t.tokenSha256 = sha256(token);
    await this.deps.store.tasks.create(t);
    return { Task: view(t), ContainerCredentials: { RelativeUri: `${CONTAINER_CREDENTIALS_PATH}${id}`, AuthorizationToken: token } };
  }

  async stop(req: LaunchRequest, taskRef: string | undefined): Promise<{ Task: TaskView & { DesiredStatus: 'STOPPED' } }> {
    if (typeof taskRef !== 'string' || !taskRef) throw ecsErrors.invalidParameter('Task is required.');
    const id = taskRef.slice(taskRef.lastIndexOf('/') + 1);
    const t = TASK_ID_RE.test(id) ? await this.deps.store.tasks.get(id) : undefined;
    if (!t || t.accountId !== req.caller.accountId || (taskRef.includes(':') && taskRef !== t.arn)) throw ecsErrors.invalidParameter('The referenced task was not found.');
    await authorizeAction(this.deps, req, 'ecs:StopTask', t.arn, {}, ecsErrors.accessDenied);
    await this.deps.store.tasks.delete(id);
    this.sessions.drop(id);
    return { Task: { ...view(t), LastStatus: 'STOPPED', DesiredStatus: 'STOPPED' } };
  }

  /**
   * The credentials endpoint: the task's role credentials for the holder of its token.
   * `unauthorized`: no such task or a wrong token (indistinguishable on purpose).
   */
  async credentials(taskId: string, token: string | undefined): Promise<{ ok: true; task: TaskRecord; session: ServiceSession } | { ok: false; reason: 'unauthorized' | 'denied'; message: string }> {
    const t = TASK_ID_RE.test(taskId) ? await this.deps.store.tasks.get(taskId) : undefined;
    // INVARIANT: the token is compared in constant time, and a missing task costs the same.
    const match = secretsEqual(token === undefined ? '' : sha256(token), t ? t.tokenSha256 : NO_TASK_HASH);
    if (!t || token === undefined || !match) return { ok: false, reason: 'unauthorized', message: 'The authorization token is not valid for this task.' };
    try {
      return { ok: true, task: t, session: await this.issue(t) };
    } catch (e) {
      if (e instanceof AwsError && e.code === 'AccessDenied') return { ok: false, reason: 'denied', message: unableToAssume(t.roleArn).message };
      throw e;
    }
  }
}
