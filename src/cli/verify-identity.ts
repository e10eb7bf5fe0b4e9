/**
 * `rolecall verify-identity TOKEN`: asks a running Rolecall who signed an identity proof (an
 * EKS-style `k8s-aws-v1.` token, a presigned GetCallerIdentity URL, or Vault login data) and
 * prints the answer as JSON, as `aws sts get-caller-identity` prints its own (Account, Arn,
 * UserId), plus the principal's facts. docs/authorize.md#verify-identity.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AuthorizeClient, RolecallError } from '../client/authorize/client.js';
import type { VerifyIdentityRequest } from '../client/authorize/types.js';
import { resolveSettings } from '../config/config.js';

export const VERIFY_IDENTITY_HELP = `rolecall verify-identity TOKEN [--cluster-id ID] [--endpoint URL]
rolecall verify-identity --vault FILE [--server-id ID] [--endpoint URL]

Verifies an identity proof with a running Rolecall and prints who signed it (Account, Arn, UserId,
as 'aws sts get-caller-identity' does, plus the principal's facts). TOKEN is an EKS-style
'k8s-aws-v1.' bearer token (aws eks get-token) or a presigned sts:GetCallerIdentity URL; '-' reads
it from stdin. A proof is accepted for 15 minutes after it was signed.

  --cluster-id ID  the cluster id the token's x-k8s-aws-id header must be signed with
  --vault FILE     Vault AWS auth login data (JSON: iam_http_request_method, iam_request_url,
                   iam_request_body, iam_request_headers; '-' for stdin)
  --server-id ID   the X-Vault-AWS-IAM-Server-ID value the Vault login data must be signed with
  --endpoint URL   Rolecall's URL (default ROLECALL_ENDPOINT, AWS_ENDPOINT_URL_STS, else
                   http://127.0.0.1:PORT)

Exit codes: 0 verified, 254 refused (the AWS error is printed), 255 Rolecall unreachable, 252 usage.
`;

export interface VerifyIdentityCliDeps {
  env?: NodeJS.ProcessEnv;
  readStdin?: () => string;
}

export async function runVerifyIdentity(argv: string[], out: (s: string) => void, err: (s: string) => void, deps: VerifyIdentityCliDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const readStdin = deps.readStdin ?? (() => readFileSync(0, 'utf8'));
  let values: { 'cluster-id'?: string; vault?: string; 'server-id'?: string; endpoint?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: { 'cluster-id': { type: 'string' }, vault: { type: 'string' }, 'server-id': { type: 'string' }, endpoint: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: true,
    }));
  } catch (e) {
    err(`rolecall: ${(e as Error).message}\n\n${VERIFY_IDENTITY_HELP}`);
    return 252;
  }
  if (values.help) {
    out(VERIFY_IDENTITY_HELP);
    return 0;
  }
  let request: VerifyIdentityRequest;
  if (values.vault !== undefined) {
    if (positionals.length) {
      err(VERIFY_IDENTITY_HELP);
      return 252;
    }
    const text = values.vault === '-' ? readStdin() : readFileSync(values.vault, 'utf8');
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(text) as Record<string, unknown>;
    } catch {
      err('rolecall: the Vault login data is not JSON\n');
      return 252;
    }
    request = { ...(data as object), ...(values['server-id'] !== undefined ? { serverId: values['server-id'] } : {}) } as VerifyIdentityRequest;
  } else {
    const [arg, ...extra] = positionals;
    if (!arg || extra.length) {
      err(VERIFY_IDENTITY_HELP);
      return 252;
    }
    const token = (arg === '-' ? readStdin() : arg).trim();
    request = { token, ...(values['cluster-id'] !== undefined ? { clusterId: values['cluster-id'] } : {}) };
  }
  const settings = resolveSettings({}, env);
  const endpoint = values.endpoint ?? env.ROLECALL_ENDPOINT ?? env.AWS_ENDPOINT_URL_STS ?? `http://127.0.0.1:${settings.port}`;
  // Verifying needs no credential: the proof is the credential.
  const client = new AuthorizeClient({ endpoint, credentials: { accessKeyId: '', secretAccessKey: '' } });
  try {
    const answer = await client.verifyIdentity(request);
    out(JSON.stringify(answer, null, 4) + '\n');
    return 0;
  } catch (e) {
    if (e instanceof RolecallError && e.code !== 'ServiceUnavailable') {
      err(`rolecall: An error occurred (${e.code}) when verifying the identity: ${e.message}\n`);
      return 254;
    }
    err(`rolecall: could not reach ${endpoint}: ${(e as Error).message}\n`);
    return 255;
  } finally {
    client.close();
  }
}
