/**
 * `rolecall role revoke-sessions ROLE`: what the IAM console's "Revoke active sessions" button
 * does, through the plain IAM API: PutRolePolicy of the inline policy AWSRevokeOlderSessions,
 * which denies everything to sessions whose aws:TokenIssueTime is before now. Sessions issued
 * later are not affected; running it again moves the cut-off. Long-term credentials never carry
 * aws:TokenIssueTime, so the Deny never touches them.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_use_revoke-sessions.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_disable-perms.html
 *
 * It signs with the caller's AWS credentials from the environment (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), like the AWS CLI; without them, with the root
 * credentials of the account in the data directory. The caller needs iam:PutRolePolicy on the role.
 */
import { send, type HttpAnswer } from './rolecall-api.js';
import { parseArgs } from 'node:util';
import { resolveSettings } from '../config/config.js';
import { systemClock, type Clock } from '../domain/clock.js';
import { openStore } from '../main.js';
import { rootCredentials } from '../services/accounts/accounts.js';
import { signRequest, type SigningCredentials } from './sign-request.js';

export const REVOKE_POLICY_NAME = 'AWSRevokeOlderSessions';

export const ROLE_HELP = `rolecall role revoke-sessions ROLE [--endpoint URL] [--data-dir DIR] [--region REGION]

Revokes every session of the role issued before now, as the IAM console's "Revoke active
sessions" does: puts the inline policy ${REVOKE_POLICY_NAME} on the role, denying all actions
to credentials whose aws:TokenIssueTime is earlier than now. New sessions are not affected; run
it again to move the cut-off. ROLE is a role name or ARN.

Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN from the environment
(eval "$(npx rolecall env)" sets them), else the root credentials in the data directory. The
caller needs iam:PutRolePolicy on the role.

  --endpoint URL   Rolecall's URL (default AWS_ENDPOINT_URL_IAM, AWS_ENDPOINT_URL,
                   ROLECALL_ENDPOINT, else http://127.0.0.1:PORT)
  --data-dir DIR   where to find root credentials when the environment has none
  --region REGION  signing region (default AWS_REGION, AWS_DEFAULT_REGION, else the setting)
`;

/**
 * The policy AWS documents for revoking sessions (disable-perms page, "Denying access to temporary
 * security credentials issued before a specific time"): Deny * on * for tokens issued before
 * `cutoff`. The cut-off keeps milliseconds, as the console's policies do, so a session issued in
 * the same second but before the revocation is revoked too.
 */
export function revokeOlderSessionsPolicy(cutoff: Date): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: { Effect: 'Deny', Action: '*', Resource: '*', Condition: { DateLessThan: { 'aws:TokenIssueTime': cutoff.toISOString() } } },
  });
}

export interface RoleCommandDeps {
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
}

const unescapeXml = (s: string) => s.replace(/&(lt|gt|quot|apos|amp);/g, (_, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e] as string);

function awsErrorOf(body: string): { code: string; message: string } {
  const code = /<Code>([^<]*)<\/Code>/.exec(body)?.[1] ?? 'Unknown';
  const message = /<Message>([^<]*)<\/Message>/.exec(body)?.[1] ?? body.slice(0, 200);
  return { code: unescapeXml(code), message: unescapeXml(message) };
}

/** A role name from a name or a role ARN (`arn:aws:iam::A:role/path/name`). */
export function roleNameOf(role: string): string {
  const m = /^arn:aws:iam::\d{12}:role\/(?:.*\/)?([^/]+)$/.exec(role);
  return m ? (m[1] as string) : role;
}

async function credentialsFor(env: NodeJS.ProcessEnv, dataDir: string | undefined): Promise<{ creds: SigningCredentials; from: string }> {
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    const creds: SigningCredentials = { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY };
    if (env.AWS_SESSION_TOKEN) creds.sessionToken = env.AWS_SESSION_TOKEN;
    return { creds, from: 'environment' };
  }
  const settings = resolveSettings(dataDir ? { dataDir } : {}, env);
  const store = await openStore(settings);
  try {
    const accountId = settings.accountId ?? (await store.accounts.list())[0]?.id;
    if (!accountId) throw new Error(`no AWS credentials in the environment and no account in ${settings.dataDir}`);
    const r = await rootCredentials(store, accountId);
    return { creds: { accessKeyId: r.accessKeyId, secretAccessKey: r.secretAccessKey }, from: `root of ${accountId} (${settings.dataDir})` };
  } finally {
    await store.close();
  }
}

export async function runRole(argv: string[], out: (s: string) => void, err: (s: string) => void, deps: RoleCommandDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const clock = deps.clock ?? systemClock;
  const { values, positionals } = parseArgs({
    args: argv,
    options: { endpoint: { type: 'string' }, 'data-dir': { type: 'string' }, region: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    out(ROLE_HELP);
    return 0;
  }
  const [sub, role, ...extra] = positionals;
  if (sub !== 'revoke-sessions' || !role || extra.length) {
    err(ROLE_HELP);
    return 252;
  }
  const settings = resolveSettings(values['data-dir'] ? { dataDir: values['data-dir'] } : {}, env);
  const endpoint = values.endpoint ?? env.AWS_ENDPOINT_URL_IAM ?? env.AWS_ENDPOINT_URL ?? env.ROLECALL_ENDPOINT ?? `http://127.0.0.1:${settings.port}`;
  const region = values.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? settings.region;
  const { creds } = await credentialsFor(env, values['data-dir']);

  const roleName = roleNameOf(role);
  const now = clock.now();
  const body = new URLSearchParams({ Action: 'PutRolePolicy', Version: '2010-05-08', RoleName: roleName, PolicyName: REVOKE_POLICY_NAME, PolicyDocument: revokeOlderSessionsPolicy(now) }).toString();
  const signed = signRequest({ method: 'POST', url: new URL('/', endpoint).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body }, creds, { service: 'iam', region, now });
  let answer: HttpAnswer;
  try {
    answer = await send(signed);
  } catch (e) {
    err(`rolecall: could not reach ${endpoint}: ${(e as Error).message}\n`);
    return 255;
  }
  if (answer.status !== 200) {
    const e = awsErrorOf(answer.body);
    err(`rolecall: An error occurred (${e.code}) when calling the PutRolePolicy operation: ${e.message}\n`);
    return 254;
  }
  out(JSON.stringify({ RoleName: roleName, PolicyName: REVOKE_POLICY_NAME, RevokedSessionsIssuedBefore: now.toISOString() }, null, 4) + '\n');
  return 0;
}
