/**
 * `rolecall task run --role ROLE -- COMMAND`: a simulated ECS task with a task role. The command
 * gets AWS_CONTAINER_CREDENTIALS_FULL_URI (the server's container credentials endpoint for this
 * task) and AWS_CONTAINER_AUTHORIZATION_TOKEN (the task's own token), and none of the caller's
 * credentials; the task stops when the command exits (docs/service-roles.md).
 */
import { parseArgs } from 'node:util';
import { systemClock, type Clock } from '../domain/clock.js';
import { ApiError, callWorkload, COMMON_HELP, COMMON_OPTIONS, resolveTarget, splitCommand } from './rolecall-api.js';
import { runCommand, workloadEnv } from './workload-env.js';

export const TASK_HELP = `rolecall task run --role ROLE -- COMMAND...

Runs COMMAND as an ECS task whose task role is ROLE (name or ARN): the SDKs' default chain finds
the role's credentials at the container credentials endpoint, assumed by ecs-tasks.amazonaws.com
with the task id as session name (the role's trust policy must allow ecs-tasks.amazonaws.com).
Launching needs ecs:RunTask and iam:PassRole on the role.

Options:
  --role ROLE            the task role (name or ARN)
${COMMON_HELP}

Example:
  npx rolecall task run --role app -- aws sts get-caller-identity
`;

export async function runTask(argv: string[], out: (s: string) => void, err: (s: string) => void, deps: { env?: NodeJS.ProcessEnv; clock?: Clock } = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const clock = deps.clock ?? systemClock;
  const { args, command } = splitCommand(argv);
  const { values, positionals } = parseArgs({ args, options: { ...COMMON_OPTIONS, role: { type: 'string' } }, strict: true, allowPositionals: true });
  if (values.help) {
    out(TASK_HELP);
    return 0;
  }
  if (positionals[0] !== 'run' || positionals.length !== 1 || !values.role || !command || !command.length) {
    err(`rolecall task: expected 'run --role ROLE -- COMMAND...'\n\n${TASK_HELP}`);
    return 252;
  }
  try {
    const t = await resolveTarget(values, env, { rootFallback: true });
    const r = await callWorkload(t, 'ecs', 'RunTask', { TaskRoleArn: values.role }, clock.now());
    const uri = new URL(r.ContainerCredentials.RelativeUri, t.endpoint).toString();
    const w = workloadEnv(env, t.region, { AWS_CONTAINER_CREDENTIALS_FULL_URI: uri, AWS_CONTAINER_AUTHORIZATION_TOKEN: r.ContainerCredentials.AuthorizationToken });
    try {
      return await runCommand(command, w.env);
    } finally {
      w.cleanup();
      await callWorkload(t, 'ecs', 'StopTask', { Task: r.Task.TaskArn }, clock.now()).catch((e: Error) => err(`rolecall: could not stop ${r.Task.TaskArn}: ${e.message}\n`));
    }
  } catch (e) {
    err(`rolecall: ${e instanceof ApiError ? e.describe() : (e as Error).message}\n`);
    return e instanceof ApiError ? 254 : 255;
  }
}
