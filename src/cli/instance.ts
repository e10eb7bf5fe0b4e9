/**
 * `rolecall instance ...`: simulated EC2 instances bound to an instance profile. A command run
 * "on" an instance finds the role's credentials exactly as on EC2: through the instance metadata
 * service (AWS_EC2_METADATA_SERVICE_ENDPOINT points at the instance's own endpoint), with none
 * of the caller's credentials in its environment (docs/service-roles.md).
 */
import { parseArgs } from 'node:util';
import { systemClock, type Clock } from '../domain/clock.js';
import { ApiError, callWorkload, COMMON_HELP, COMMON_OPTIONS, resolveTarget, splitCommand, type Target } from './rolecall-api.js';
import { runCommand, workloadEnv } from './workload-env.js';

export const INSTANCE_HELP = `rolecall instance run --profile NAME [--http-tokens required|optional] [--keep] [-- COMMAND...]
rolecall instance exec INSTANCE_ID -- COMMAND...
rolecall instance list
rolecall instance terminate INSTANCE_ID...
rolecall instance modify INSTANCE_ID --http-tokens required|optional

Simulated EC2 instances with an instance profile (name or ARN). Each instance has its own
IMDSv2 endpoint on a loopback port of the server; its credentials are the profile's role, assumed
by ec2.amazonaws.com with the instance id as session name (the role's trust policy must allow
ec2.amazonaws.com). Launching needs ec2:RunInstances and iam:PassRole on the role.

  run       launch an instance; with -- COMMAND, run the command on it (no caller credentials
            in its environment, AWS_EC2_METADATA_SERVICE_ENDPOINT set), then terminate it
            unless --keep; without a command, print the instance and keep it
  exec      run a command on a running instance
  list      the account's instances
  terminate terminate instances (their metadata endpoints close)
  modify    turn IMDSv1 on (--http-tokens optional) or off (required, the default at launch)

Options:
  --profile NAME         instance profile name or ARN (run)
  --http-tokens MODE     required (IMDSv2 only, default) or optional (IMDSv1 too)
  --keep                 leave the instance running after the command
${COMMON_HELP}

Example:
  npx rolecall instance run --profile web -- aws sts get-caller-identity
`;

export interface InstanceCommandDeps {
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
}

/** Runs `command` on the instance whose metadata endpoint is `endpoint`. */
async function onInstance(endpoint: string, region: string, command: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const w = workloadEnv(env, region, { AWS_EC2_METADATA_SERVICE_ENDPOINT: endpoint });
  try {
    return await runCommand(command, w.env);
  } finally {
    w.cleanup();
  }
}

export async function runInstance(argv: string[], out: (s: string) => void, err: (s: string) => void, deps: InstanceCommandDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const clock = deps.clock ?? systemClock;
  const { args, command } = splitCommand(argv);
  const { values, positionals } = parseArgs({
    args,
    options: { ...COMMON_OPTIONS, profile: { type: 'string' }, 'http-tokens': { type: 'string' }, keep: { type: 'boolean' }, 'image-id': { type: 'string' }, 'instance-type': { type: 'string' } },
    strict: true,
    allowPositionals: true,
  });
  const [sub, ...ids] = positionals;
  if (values.help || sub === undefined) {
    (values.help ? out : err)(INSTANCE_HELP);
    return values.help ? 0 : 252;
  }
  const usage = (why: string) => {
    err(`rolecall instance: ${why}\n\n${INSTANCE_HELP}`);
    return 252;
  };
  let t: Target;
  try {
    t = await resolveTarget(values, env, { rootFallback: true });
  } catch (e) {
    err(`rolecall: ${(e as Error).message}\n`);
    return 253;
  }
  const call = (op: string, input: unknown) => callWorkload(t, 'ec2', op, input, clock.now());
  const print = (v: unknown) => out(JSON.stringify(v, null, 4) + '\n');
  try {
    switch (sub) {
      case 'run': {
        if (!values.profile) return usage('--profile is required');
        if (ids.length) return usage(`unexpected argument ${ids[0]}`);
        if (command && !command.length) return usage('no command after --');
        const profile = values.profile.startsWith('arn:') ? { Arn: values.profile } : { Name: values.profile };
        const input: Record<string, unknown> = { IamInstanceProfile: profile };
        if (values['http-tokens']) input.MetadataOptions = { HttpTokens: values['http-tokens'] };
        if (values['image-id']) input.ImageId = values['image-id'];
        if (values['instance-type']) input.InstanceType = values['instance-type'];
        const i = (await call('RunInstances', input)).Instances[0];
        if (!command) {
          print(i);
          return 0;
        }
        try {
          return await onInstance(i.MetadataEndpoint, t.region, command, env);
        } finally {
          if (!values.keep) await call('TerminateInstances', { InstanceIds: [i.InstanceId] }).catch((e: Error) => err(`rolecall: could not terminate ${i.InstanceId}: ${e.message}\n`));
        }
      }
      case 'exec': {
        if (ids.length !== 1) return usage('exec takes one INSTANCE_ID');
        if (!command || !command.length) return usage('exec needs -- COMMAND');
        const i = (await call('DescribeInstances', { InstanceIds: ids })).Instances[0];
        if (!i.MetadataEndpoint) {
          err(`rolecall: instance ${ids[0]} is ${i.State.Name}\n`);
          return 254;
        }
        return await onInstance(i.MetadataEndpoint, t.region, command, env);
      }
      case 'list':
        print(await call('DescribeInstances', {}));
        return 0;
      case 'terminate':
        if (!ids.length) return usage('terminate needs INSTANCE_ID...');
        print(await call('TerminateInstances', { InstanceIds: ids }));
        return 0;
      case 'modify':
        if (ids.length !== 1 || !values['http-tokens']) return usage('modify takes one INSTANCE_ID and --http-tokens');
        print(await call('ModifyInstanceMetadataOptions', { InstanceId: ids[0], HttpTokens: values['http-tokens'] }));
        return 0;
      default:
        return usage(`unknown subcommand '${sub}'`);
    }
  } catch (e) {
    if (e instanceof ApiError) {
      err(`rolecall: ${e.describe()}\n`);
      return 254;
    }
    err(`rolecall: ${(e as Error).message}\n`);
    return 255;
  }
}
