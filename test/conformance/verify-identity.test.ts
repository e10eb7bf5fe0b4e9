/**
 * Identity proofs at `POST /_rolecall/verify-identity` and `rolecall verify-identity`: presigned
 * sts:GetCallerIdentity URLs, EKS-style `k8s-aws-v1.` tokens made as aws-iam-authenticator makes
 * them (the JS SDK's signer presigning GET GetCallerIdentity with x-k8s-aws-id signed) and by
 * `aws eks get-token` itself, and Vault AWS-auth login data signed by @smithy/signature-v4 and by
 * boto3 (Vault's documented snippet). Expired proofs (ManualClock), wrong audiences, other actions
 * and tampering are refused with AWS's codes. docs/authorize.md#verify-identity.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SignatureV4 } from '@smithy/signature-v4';
import { runVerifyIdentity } from '../../src/cli/verify-identity.js';
import { AuthorizeClient, RolecallError, type IdentityAnswer, type VerifyIdentityRequest } from '../../src/client/authorize/index.js';
import { isolatedHome, presignGetCallerIdentity, REGION, resolveTools, runAws, runPython, Sha256, stsClient, tempDir, type Credentials } from './support/server.js';
import { Account, allow, sessionCreds, startStsServer, trust, type Principal, type StsServer } from './support/sts-fixture.js';

let s: StsServer;
let a: Account;
let acct: string;
let alice: Principal;
let client: AuthorizeClient;

before(async () => {
  s = await startStsServer();
  acct = s.accountId;
  a = await Account.of(s, acct, s.root);
  alice = await a.user('alice', allow('sts:AssumeRole'));
  await a.role('deployer', trust(alice.arn));
  // Verifying needs no credential: the proof is one.
  client = new AuthorizeClient({ endpoint: s.url, credentials: { accessKeyId: '', secretAccessKey: '' } });
});

after(async () => {
  client?.close();
  await s?.close();
});

async function refused(req: VerifyIdentityRequest): Promise<RolecallError> {
  try {
    await client.verifyIdentity(req);
  } catch (e) {
    assert.ok(e instanceof RolecallError, String(e));
    return e;
  }
  assert.fail('expected the proof to be refused');
}

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** An EKS token as aws-iam-authenticator builds it: presigned GET GetCallerIdentity, x-k8s-aws-id signed, 60 s. */
async function eksToken(creds: Credentials, clusterId: string, opts: { host?: string; action?: string } = {}): Promise<string> {
  const host = opts.host ?? `sts.${REGION}.amazonaws.com`;
  const sig = new SignatureV4({ credentials: creds, region: REGION, service: 'sts', sha256: Sha256, uriEscapePath: true, applyChecksum: false });
  const p = await sig.presign(
    { method: 'GET', protocol: 'https:', hostname: host, path: '/', query: { Action: opts.action ?? 'GetCallerIdentity', Version: '2011-06-15' }, headers: { host, 'x-k8s-aws-id': clusterId } },
    { expiresIn: 60, signingDate: s.clock.now() },
  );
  const query = Object.entries(p.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  return 'k8s-aws-v1.' + Buffer.from(`https://${host}/?${query}`).toString('base64url');
}

/** Vault AWS-auth login data for a POST GetCallerIdentity signed by @smithy/signature-v4 (Go's header map shape). */
async function vaultLogin(creds: Credentials, serverId: string | undefined, opts: { body?: string; signingDate?: Date } = {}): Promise<VerifyIdentityRequest> {
  const body = opts.body ?? 'Action=GetCallerIdentity&Version=2011-06-15';
  const sig = new SignatureV4({ credentials: creds, region: REGION, service: 'sts', sha256: Sha256, uriEscapePath: true, applyChecksum: false });
  const headers: Record<string, string> = { host: 'sts.amazonaws.com', 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
  if (serverId !== undefined) headers['x-vault-aws-iam-server-id'] = serverId;
  const signed = await sig.sign({ method: 'POST', protocol: 'https:', hostname: 'sts.amazonaws.com', path: '/', query: {}, headers, body }, { signingDate: opts.signingDate ?? s.clock.now() });
  const goHeaders: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(signed.headers as Record<string, string>)) if (k !== 'host') goHeaders[k.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase())] = [v];
  const b64 = (t: string) => Buffer.from(t).toString('base64');
  return { iam_http_request_method: 'POST', iam_request_url: b64('https://sts.amazonaws.com/'), iam_request_body: b64(body), iam_request_headers: b64(JSON.stringify(goHeaders)) };
}

describe('presigned GetCallerIdentity URLs', () => {
  it('answers as GetCallerIdentity does, for 15 minutes whatever X-Amz-Expires says', async () => {
    const signedAt = s.clock.now();
    const url = await presignGetCallerIdentity(s.url, alice.creds, { expiresIn: 3600, signingDate: signedAt });
    const me = await (await stsClient(s.url, alice.creds)).call('GetCallerIdentity');
    const answer: IdentityAnswer = await client.verifyIdentity({ token: url });
    assert.deepEqual({ Account: answer.Account, Arn: answer.Arn, UserId: answer.UserId }, { Account: me.Account, Arn: me.Arn, UserId: me.UserId });
    assert.equal(answer.principal.type, 'User');
    assert.equal(answer.principal.userName, 'alice');
    assert.equal(answer.expiresAt, iso(Math.floor(signedAt.getTime() / 1000) * 1000 + 15 * 60_000));
    assert.equal(answer.audience, undefined);
    s.clock.advance(16 * 60_000);
    const e = await refused({ token: url });
    assert.deepEqual([e.code, e.status, e.message], ['AccessDenied', 403, 'Request has expired']);
  });

  it('a role session: the assumed-role identity; after the session ends, ExpiredToken', async () => {
    const creds = sessionCreds(await (await stsClient(s.url, alice.creds, { systemClockOffset: s.offsetMs() })).call('AssumeRole', { RoleArn: `arn:aws:iam::${acct}:role/deployer`, RoleSessionName: 'ci', DurationSeconds: 900 }));
    const answer = await client.verifyIdentity({ token: await presignGetCallerIdentity(s.url, creds, { signingDate: s.clock.now() }) });
    assert.equal(answer.Arn, `arn:aws:sts::${acct}:assumed-role/deployer/ci`);
    assert.match(answer.UserId, /^AROA[A-Z2-7]{16}:ci$/);
    assert.equal(answer.principal.principalArn, `arn:aws:iam::${acct}:role/deployer`);
    assert.ok(answer.principal.session);
    assert.ok(answer.expiresAt <= answer.principal.session.expiresAt, 'a proof never outlives its session');
    s.clock.advance(901_000);
    const e = await refused({ token: await presignGetCallerIdentity(s.url, creds, { signingDate: s.clock.now() }) });
    assert.deepEqual([e.code, e.status, e.message], ['ExpiredToken', 403, 'The security token included in the request is expired']);
  });

  it('refuses unknown keys, wrong secrets and tampered URLs with AWS codes', async () => {
    const unknown = await refused({ token: await presignGetCallerIdentity(s.url, { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' }, { signingDate: s.clock.now() }) });
    assert.deepEqual([unknown.code, unknown.status], ['InvalidClientTokenId', 403]);
    const wrong = await refused({ token: await presignGetCallerIdentity(s.url, { ...alice.creds, secretAccessKey: `${alice.creds.secretAccessKey}x` }, { signingDate: s.clock.now() }) });
    assert.deepEqual([wrong.code, wrong.status], ['SignatureDoesNotMatch', 403]);
    const url = await presignGetCallerIdentity(s.url, alice.creds, { signingDate: s.clock.now() });
    const tampered = await refused({ token: url.replace('X-Amz-Expires=60', 'X-Amz-Expires=61') });
    assert.deepEqual([tampered.code, tampered.status], ['SignatureDoesNotMatch', 403]);
    const notSigned = await refused({ token: `${s.url}/?Action=GetCallerIdentity&Version=2011-06-15` });
    assert.deepEqual([notSigned.code, notSigned.status], ['InvalidIdentityToken', 400]);
  });
});

describe('EKS-style k8s-aws-v1 tokens', () => {
  it('made as aws-iam-authenticator makes them: verified for their cluster, refused for another', async () => {
    const token = await eksToken(alice.creds, 'prod-cluster');
    const answer = await client.verifyIdentity({ token, clusterId: 'prod-cluster' });
    assert.equal(answer.Arn, alice.arn);
    assert.equal(answer.audience, 'prod-cluster');
    // The cluster id is not in the token, only signed: another one is another request, as STS
    // would say to aws-iam-authenticator forwarding it.
    const other = await refused({ token, clusterId: 'dev-cluster' });
    assert.deepEqual([other.code, other.status], ['SignatureDoesNotMatch', 403]);
    const noCluster = await refused({ token });
    assert.deepEqual([noCluster.code, noCluster.message], ['InvalidIdentityToken', 'The token signs the x-k8s-aws-id header: pass the value it was made for (clusterId).']);
    // A presigned URL that does not sign x-k8s-aws-id binds nothing: refused when a cluster is expected.
    const unbound = await refused({ token: await presignGetCallerIdentity(s.url, alice.creds, { signingDate: s.clock.now() }), clusterId: 'prod-cluster' });
    assert.match(unbound.message, /does not sign the x-k8s-aws-id header/);
  });

  it('only GetCallerIdentity: a presigned call of another action is not an identity proof', async () => {
    const e = await refused({ token: await eksToken(alice.creds, 'c', { action: 'GetSessionToken' }), clusterId: 'c' });
    assert.deepEqual([e.code, e.message], ['InvalidIdentityToken', 'The signed request is not an sts:GetCallerIdentity call.']);
    const garbage = await refused({ token: 'k8s-aws-v1.!!!' });
    assert.equal(garbage.code, 'InvalidIdentityToken');
    const stale = await eksToken(alice.creds, 'c');
    s.clock.advance(15 * 60_000 + 1000);
    assert.equal((await refused({ token: stale, clusterId: 'c' })).code, 'AccessDenied', 'tokens live 15 minutes (X-Amz-Expires=60 is ignored, as STS does)');
  });

  it('a token from `aws eks get-token` (the AWS CLI) verifies', async (t) => {
    const tools = await resolveTools();
    if (!tools.aws) return t.skip('the AWS CLI is not installed');
    const home = isolatedHome();
    try {
      // The CLI signs with the real clock; the server clock may have been moved ahead by now.
      const r = await runAws(['eks', 'get-token', '--cluster-name', 'demo'], home.env(s, alice.creds));
      assert.equal(r.code, 0, r.stderr);
      const token = JSON.parse(r.stdout).status.token as string;
      assert.match(token, /^k8s-aws-v1\.[A-Za-z0-9_-]+$/);
      const skew = s.offsetMs();
      s.clock.advance(-skew);
      try {
        const answer = await client.verifyIdentity({ token, clusterId: 'demo' });
        assert.deepEqual([answer.Account, answer.Arn, answer.audience], [acct, alice.arn, 'demo']);
      } finally {
        s.clock.advance(skew);
      }
    } finally {
      home.cleanup();
    }
  });
});

describe('Vault AWS auth login data', () => {
  it('signed with the server id header: verified when it matches, refused otherwise', async () => {
    const login = await vaultLogin(alice.creds, 'vault.example.com');
    const answer = await client.verifyIdentity({ ...login, serverId: 'vault.example.com' });
    assert.deepEqual([answer.Account, answer.Arn, answer.audience], [acct, alice.arn, 'vault.example.com']);
    const other = await refused({ ...login, serverId: 'vault.other.com' });
    assert.deepEqual([other.code, other.status], ['InvalidIdentityToken', 400]);
    // Without an expected server id the proof verifies and reports the id it was signed for.
    assert.equal((await client.verifyIdentity(login)).audience, 'vault.example.com');
    const unbound = await refused({ ...(await vaultLogin(alice.creds, undefined)), serverId: 'vault.example.com' });
    assert.match(unbound.message, /does not sign the x-vault-aws-iam-server-id header/);
  });

  it('refuses another action in the body, a changed body and a stale signature', async () => {
    const other = await refused(await vaultLogin(alice.creds, undefined, { body: 'Action=GetSessionToken&Version=2011-06-15' }));
    assert.equal(other.code, 'InvalidIdentityToken');
    const login = (await vaultLogin(alice.creds, undefined)) as Record<string, string>;
    const changed = await refused({ ...login, iam_request_body: Buffer.from('Action=GetCallerIdentity&Version=2011-06-15&').toString('base64') } as unknown as VerifyIdentityRequest);
    assert.equal(changed.code, 'SignatureDoesNotMatch');
    const stale = await vaultLogin(alice.creds, undefined, { signingDate: new Date(s.clock.now().getTime() - 16 * 60_000) });
    const e = await refused(stale);
    assert.equal(e.code, 'SignatureDoesNotMatch');
    assert.match(e.message, /^Signature expired: /);
  });

  it("boto3 login data, built as Vault's documentation builds it, verifies", async (t) => {
    const tools = await resolveTools();
    if (!tools.boto3) return t.skip('python3 with boto3 is not available');
    const home = isolatedHome();
    try {
      const script = String.raw`
import base64, json, os, boto3
session = boto3.session.Session()
client = session.client('sts', endpoint_url=os.environ['ENDPOINT'])
endpoint = client._endpoint
op = client._service_model.operation_model('GetCallerIdentity')
try:
    rd = client._convert_to_request_dict({}, op, endpoint_url=endpoint.host, context={'client_region': client.meta.region_name, 'client_config': client.meta.config, 'has_streaming_input': False, 'auth_type': None})
except TypeError:
    rd = client._convert_to_request_dict({}, op)
rd['headers']['X-Vault-AWS-IAM-Server-ID'] = 'vault.example.com'
req = endpoint.create_request(rd, op)
b64 = lambda b: base64.b64encode(b if isinstance(b, bytes) else b.encode()).decode()
hdrs = {k: (v.decode() if isinstance(v, bytes) else v) for k, v in req.headers.items()}
print(json.dumps({'iam_http_request_method': req.method, 'iam_request_url': b64(req.url), 'iam_request_body': b64(req.body), 'iam_request_headers': b64(json.dumps(hdrs))}))
`;
      const login = (await runPython(script, { ...home.env(s, alice.creds), AWS_ENDPOINT_URL_IAM: s.url })) as VerifyIdentityRequest;
      const skew = s.offsetMs();
      s.clock.advance(-skew);
      try {
        const answer = await client.verifyIdentity({ ...login, serverId: 'vault.example.com' });
        assert.deepEqual([answer.Arn, answer.audience], [alice.arn, 'vault.example.com']);
      } finally {
        s.clock.advance(skew);
      }
    } finally {
      home.cleanup();
    }
  });
});

describe('rolecall verify-identity (CLI)', () => {
  const run = async (argv: string[], stdin = '') => {
    let out = '';
    let err = '';
    const code = await runVerifyIdentity(argv, (x) => (out += x), (x) => (err += x), { env: { ROLECALL_ENDPOINT: s.url }, readStdin: () => stdin });
    return { code, out, err };
  };

  it('prints the identity for a token, an AWS error (exit 254) for a refused one, 255 when unreachable', async () => {
    const token = await eksToken(alice.creds, 'demo');
    const ok = await run([token, '--cluster-id', 'demo']);
    assert.equal(ok.code, 0, ok.err);
    const printed = JSON.parse(ok.out);
    assert.deepEqual([printed.Account, printed.Arn, printed.UserId], [acct, alice.arn, printed.principal.userId]);
    const fromStdin = await run(['-', '--cluster-id', 'demo'], `${token}\n`);
    assert.equal(fromStdin.code, 0);
    const bad = await run([token, '--cluster-id', 'other']);
    assert.equal(bad.code, 254);
    assert.match(bad.err, /^rolecall: An error occurred \(SignatureDoesNotMatch\) when verifying the identity: The request signature we calculated/);
    const down = await runVerifyIdentity([token, '--endpoint', 'http://127.0.0.1:1'], () => {}, () => {}, { env: {} });
    assert.equal(down, 255);
    assert.equal((await run([])).code, 252);
  });

  it('verifies Vault login data from a file', async () => {
    const dir = tempDir('vault');
    const file = join(dir, 'login.json');
    writeFileSync(file, JSON.stringify(await vaultLogin(alice.creds, 'vault.example.com')));
    const r = await run(['--vault', file, '--server-id', 'vault.example.com']);
    assert.equal(r.code, 0, r.err);
    assert.equal(JSON.parse(r.out).Arn, alice.arn);
  });
});
