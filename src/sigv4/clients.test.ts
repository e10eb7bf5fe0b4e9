/**
 * Unmodified clients against a real node:http listener that verifies with this module: the AWS SDK
 * for JavaScript v3 (STS, IAM), boto3 (incl. a presigned GetCallerIdentity URL) and the AWS CLI.
 * The listener answers GetCallerIdentity for real and renders refusals as awsQuery errors, so the
 * clients' own error handling shows what a caller sees.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as iam from '@aws-sdk/client-iam';
import * as sts from '@aws-sdk/client-sts';
import { invalidClientTokenId, parseAuth, rawRequest, verifySignature, type ParsedAuth, type SigV4Error } from './index.js';

const run = promisify(execFile);

const KEYS: Record<string, string> = {
  AKIACLIENTSEXAMPLE01: 'clientsSecret/Key+With=Chars0000000000001',
  ASIACLIENTSEXAMPLE02: 'sessionSecret/Key+With=Chars000000000002',
};

interface Seen {
  ua: string;
  action: string;
  auth?: ParsedAuth;
  error?: SigV4Error;
}

let server: Server;
let endpoint = '';
const seen: Seen[] = [];
let home = '';

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function actionOf(query: string, body: string): string {
  const m = /(?:^|&)Action=([^&]*)/.exec(body) ?? /(?:^|&)Action=([^&]*)/.exec(query);
  return m?.[1] ?? '';
}

before(async () => {
  home = mkdtempSync(join(tmpdir(), 'rolecall-sigv4-'));
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const raw = rawRequest(req.method ?? 'GET', req.url ?? '/', req.rawHeaders, createHash('sha256').update(body).digest('hex'));
      const action = actionOf(raw.query, body.toString('utf8'));
      const record: Seen = { ua: req.headers['user-agent'] ?? '', action };
      seen.push(record);
      let error: SigV4Error | undefined;
      const p = parseAuth(raw);
      if (!p.ok) error = p.error;
      else if (p.auth) {
        record.auth = p.auth;
        const secret = KEYS[p.auth.accessKeyId];
        if (secret === undefined) error = invalidClientTokenId();
        else {
          const v = verifySignature(raw, p.auth, secret, new Date());
          if (!v.ok) error = v.error;
        }
      }
      if (error) record.error = error;
      res.setHeader('content-type', 'text/xml');
      if (!error && action === 'GetCallerIdentity') {
        res.end(
          '<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult>' +
            `<Arn>arn:aws:iam::111122223333:user/${xml(p.ok && p.auth ? p.auth.accessKeyId : '')}</Arn><UserId>AIDAEXAMPLE</UserId><Account>111122223333</Account>` +
            '</GetCallerIdentityResult><ResponseMetadata><RequestId>r1</RequestId></ResponseMetadata></GetCallerIdentityResponse>',
        );
        return;
      }
      const code = error ? error.code : 'RolecallTestStop';
      const message = error ? error.message : 'verified';
      res.statusCode = error ? error.status : 400;
      res.end(
        `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code>` +
          `<Message>${xml(message)}</Message></Error><RequestId>r1</RequestId></ErrorResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  endpoint = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});

after(() => {
  server.close();
  rmSync(home, { recursive: true, force: true });
});

const lastFor = (action: string, ua: RegExp): Seen => {
  const s = [...seen].reverse().find((x) => x.action === action && ua.test(x.ua));
  assert.ok(s, `no ${action} request seen from ${ua}`);
  return s;
};

const pythonEnv = () => ({
  PATH: process.env.PATH ?? '',
  HOME: home,
  AWS_CONFIG_FILE: join(home, 'config'),
  AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
  AWS_ACCESS_KEY_ID: 'AKIACLIENTSEXAMPLE01',
  AWS_SECRET_ACCESS_KEY: KEYS.AKIACLIENTSEXAMPLE01 as string,
  AWS_DEFAULT_REGION: 'eu-west-1',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_MAX_ATTEMPTS: '1',
  ...(process.env.PYENV_ROOT ? { PYENV_ROOT: process.env.PYENV_ROOT } : {}),
});

describe('AWS SDK for JavaScript v3', () => {
  const creds = { accessKeyId: 'AKIACLIENTSEXAMPLE01', secretAccessKey: KEYS.AKIACLIENTSEXAMPLE01 as string };

  it('GetCallerIdentity succeeds; the JS header set is verified', async () => {
    const c = new sts.STSClient({ region: 'eu-west-1', endpoint, credentials: creds, maxAttempts: 1 });
    const out = await c.send(new sts.GetCallerIdentityCommand({}));
    assert.equal(out.Arn, 'arn:aws:iam::111122223333:user/AKIACLIENTSEXAMPLE01');
    const s = lastFor('GetCallerIdentity', /aws-sdk-js/);
    assert.equal(s.error, undefined);
    assert.ok(s.auth?.signedHeaders.includes('x-amz-content-sha256'));
  });

  it('AssumeRole with session credentials, and IAM CreateRole with a policy document, verify', async () => {
    const session = { accessKeyId: 'ASIACLIENTSEXAMPLE02', secretAccessKey: KEYS.ASIACLIENTSEXAMPLE02 as string, sessionToken: 'Fwo+/=token' };
    const c = new sts.STSClient({ region: 'ap-south-1', endpoint, credentials: session, maxAttempts: 1 });
    await assert.rejects(c.send(new sts.AssumeRoleCommand({ RoleArn: 'arn:aws:iam::111122223333:role/app', RoleSessionName: 'a b+c', ExternalId: 'x/y=z' })), { name: 'RolecallTestStop' });
    const a = lastFor('AssumeRole', /aws-sdk-js/);
    assert.equal(a.error, undefined);
    assert.equal(a.auth?.securityToken, 'Fwo+/=token');
    const i = new iam.IAMClient({ region: 'eu-west-1', endpoint, credentials: creds, maxAttempts: 1 });
    const doc = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole', Condition: { StringLike: { 'aws:PrincipalTag/t': 'café *' } } }] });
    await assert.rejects(i.send(new iam.CreateRoleCommand({ RoleName: 'app', Path: '/team a/', AssumeRolePolicyDocument: doc })), { name: 'RolecallTestStop' });
    const r = lastFor('CreateRole', /aws-sdk-js/);
    assert.equal(r.error, undefined);
    assert.equal(r.auth?.service, 'iam');
  });

  it('surfaces our refusals as the SDK error AWS would produce', async () => {
    const wrong = new sts.STSClient({ region: 'us-east-1', endpoint, credentials: { ...creds, secretAccessKey: 'wrong' }, maxAttempts: 1 });
    await assert.rejects(wrong.send(new sts.GetCallerIdentityCommand({})), {
      name: 'SignatureDoesNotMatch',
      message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
    });
    const unknown = new sts.STSClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'AKIAUNKNOWN', secretAccessKey: 'x' }, maxAttempts: 1 });
    await assert.rejects(unknown.send(new sts.GetCallerIdentityCommand({})), {
      name: 'InvalidClientTokenId',
      message: 'The security token included in the request is invalid.',
    });
  });
});

describe('boto3 and the AWS CLI', () => {
  const BOTO = String.raw`
import json, sys, boto3
from botocore.config import Config
e = sys.argv[1]
cfg = Config(retries={'max_attempts': 0})
sts = boto3.client('sts', endpoint_url=e, config=cfg)
print(json.dumps(sts.get_caller_identity()['Arn']))
try:
    sts.assume_role(RoleArn='arn:aws:iam::111122223333:role/app', RoleSessionName='a b+c', ExternalId='x/y=z')
except Exception as ex:
    print(json.dumps(type(ex).__name__ + ':' + str(ex)))
iam = boto3.client('iam', endpoint_url=e, config=cfg)
try:
    iam.create_role(RoleName='app', Path='/team a/', AssumeRolePolicyDocument=json.dumps({'Version': '2012-10-17', 'Statement': []}))
except Exception as ex:
    print(json.dumps(str(ex)))
print(json.dumps(sts.generate_presigned_url('get_caller_identity', ExpiresIn=60, HttpMethod='GET')))
print(json.dumps(sts.generate_presigned_url('get_caller_identity', ExpiresIn=60)))
`;
  let pyOut: string[] | undefined;

  it('boto3: GetCallerIdentity, AssumeRole, CreateRole verify', async (t) => {
    try {
      pyOut = (await run('python3', ['-c', BOTO, endpoint], { env: pythonEnv(), timeout: 60_000 })).stdout.trim().split('\n');
    } catch (e) {
      t.skip(`python3 with boto3 is not available: ${String(e).slice(0, 200)}`);
      return;
    }
    assert.equal(JSON.parse(pyOut[0] as string), 'arn:aws:iam::111122223333:user/AKIACLIENTSEXAMPLE01');
    for (const action of ['GetCallerIdentity', 'AssumeRole', 'CreateRole']) {
      const s = lastFor(action, /Boto3/);
      assert.equal(s.error, undefined, `${action}: ${JSON.stringify(s.error)}`);
      assert.deepEqual(s.auth?.signedHeaders, ['content-type', 'host', 'x-amz-date']);
      assert.equal(s.auth?.region, 'eu-west-1');
    }
  });

  const fetchStatus = (url: string, method: string) =>
    new Promise<number>((resolve, reject) =>
      request(url, { method }, (res) => (res.resume(), resolve(res.statusCode ?? 0)))
        .on('error', reject)
        .end(),
    );

  it('boto3: presigned GetCallerIdentity URLs verify with the method they were signed for', async (t) => {
    if (!pyOut) return t.skip('boto3 did not run');
    const getUrl = JSON.parse(pyOut[pyOut.length - 2] as string) as string;
    const postUrl = JSON.parse(pyOut[pyOut.length - 1] as string) as string;
    assert.match(getUrl, /X-Amz-Expires=60&X-Amz-SignedHeaders=host&X-Amz-Signature=/);
    assert.equal(await fetchStatus(getUrl, 'GET'), 200);
    let s = seen[seen.length - 1] as Seen;
    assert.equal(s.auth?.presigned, true);
    assert.equal(s.error, undefined);
    // Without HttpMethod, boto3 signs the operation's own method (POST for awsQuery): such a URL
    // works with an empty POST and, as on AWS, not with GET.
    assert.equal(await fetchStatus(postUrl, 'POST'), 200);
    assert.equal(await fetchStatus(postUrl, 'GET'), 403);
    s = seen[seen.length - 1] as Seen;
    assert.equal(s.error?.code, 'SignatureDoesNotMatch');
  });

  it('aws CLI: sts get-caller-identity verifies; a wrong secret gets SignatureDoesNotMatch', async (t) => {
    let out: string;
    try {
      out = (await run('aws', ['sts', 'get-caller-identity', '--endpoint-url', endpoint, '--output', 'json'], { env: pythonEnv(), timeout: 60_000 })).stdout;
    } catch (e) {
      t.skip(`the AWS CLI is not available: ${String(e).slice(0, 200)}`);
      return;
    }
    assert.equal(JSON.parse(out).Arn, 'arn:aws:iam::111122223333:user/AKIACLIENTSEXAMPLE01');
    assert.equal(lastFor('GetCallerIdentity', /aws-cli/).error, undefined);
    const bad = await run('aws', ['sts', 'get-caller-identity', '--endpoint-url', endpoint], {
      env: { ...pythonEnv(), AWS_SECRET_ACCESS_KEY: 'wrong' },
      timeout: 60_000,
    }).then(
      () => '',
      (e: { stderr?: string }) => e.stderr ?? '',
    );
    assert.match(bad, /An error occurred \(SignatureDoesNotMatch\) when calling the GetCallerIdentity operation: The request signature we calculated does not match/);
  });
});
