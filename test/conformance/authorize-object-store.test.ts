/**
 * The decision point end to end: the example S3-compatible object store
 * (examples/object-store/) on loopback, protected by the `rolecall/authorize` middleware, called by
 * an unmodified AWS SDK for JavaScript v3 S3 client (endpoint + forcePathStyle) signing with role
 * credentials from AssumeRole. Decisions follow the role's permission policy, the session policy,
 * the permissions boundary and the store's own bucket policy (same account and cross-account);
 * tampered, replayed, expired and foreign-signed requests get AWS's error codes; policy changes are
 * seen at once (decision cache invalidation) and time-bound policies are never served from cache;
 * denials reach the audit trail without secrets. docs/authorize.md.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CloudTrailEvent } from '../../src/audit/event.js';
import { buildQueryString } from '../../src/sigv4/testkit.js';
import { doc, expectError, iamClient, isolatedHome, rawHttp, REGION, resolveTools, runAws, signer, stsClient, type Credentials } from './support/server.js';
import { Account, allow, RecordingTrail, secondAccount, sessionCreds, skewedOptions, startStsServer, trust, type Principal, type StsServer } from './support/sts-fixture.js';

type SdkModule = Record<string, any>;
let s3Module: Promise<SdkModule> | undefined;
const loadS3 = () => (s3Module ??= import(String('@aws-sdk/client-s3')) as Promise<SdkModule>);

interface ObjectStore {
  server: unknown;
  buckets: Map<string, { policy?: string; objects: Map<string, { owner: string; body: Buffer }> }>;
  setBucketPolicy(bucket: string, policy: string | undefined): void;
  listen(port?: number): Promise<string>;
  close(): Promise<void>;
}
/** The example, loaded from the repository (dist/test/conformance -> ../../../examples). */
const loadExample = () => import(new URL('../../../examples/object-store/object-store.mjs', import.meta.url).href) as Promise<{ createObjectStore(o: unknown): ObjectStore }>;


let s: StsServer;
let a: Account;
let acct: string;
let alice: Principal;
let store: ObjectStore;
let storeUrl: string;
const trail = new RecordingTrail();
const rolecallErrors: Error[] = [];

const roleArn = (name: string) => `arn:aws:iam::${acct}:role/${name}`;
const sessionArn = (role: string, session: string, account = acct) => `arn:aws:sts::${account}:assumed-role/${role}/${session}`;
const denied = (who: string, action: string, resource: string, because: string) => `User: ${who} is not authorized to perform: ${action} on resource: ${resource} ${because}`;
const noIdentity = (action: string) => `because no identity-based policy allows the ${action} action`;

/**
 * One root IAM call signed at the server's current time. A fresh client per call: the SDK resets
 * its clock offset from the Date header of each answer, which is the listener's real time.
 */
async function rootIam(op: string, input: Record<string, unknown>): Promise<any> {
  return (await iamClient(s.url, s.root, skewedOptions(s))).call(op, input);
}

/** An S3 client of the unmodified SDK, signing at the server's (possibly advanced) time. */
async function s3(creds: Credentials, opts: { region?: string } = {}): Promise<{ raw: any; call(op: string, input: Record<string, unknown>): Promise<any> }> {
  const mod = await loadS3();
  const raw = new mod.S3Client({ endpoint: storeUrl, forcePathStyle: true, region: opts.region ?? REGION, credentials: creds, maxAttempts: 1, systemClockOffset: s.offsetMs() });
  return { raw, call: (op, input) => raw.send(new mod[`${op}Command`](input)) };
}

/** AssumeRole as alice; returns the session's S3 client. */
async function assume(role: string, session: string, extra: Record<string, unknown> = {}) {
  // Signed at the server's time: some tests move the server clock far ahead.
  const sts = await stsClient(s.url, alice.creds, skewedOptions(s));
  const out = await sts.call('AssumeRole', { RoleArn: roleArn(role), RoleSessionName: session, ...extra });
  const creds = sessionCreds(out);
  return { creds, s3: await s3(creds) };
}

const text = async (out: any): Promise<string> => out.Body.transformToString();

before(async () => {
  s = await startStsServer({ audit: trail });
  acct = s.accountId;
  a = await Account.of(s, acct, s.root);
  alice = await a.user('alice', allow('sts:AssumeRole'));
  const service = await a.user('object-store', allow('rolecall:Authorize'));
  const aliceTrust = trust(alice.arn);
  await a.role('writer', aliceTrust, { policy: allow(['s3:PutObject', 's3:GetObject', 's3:DeleteObject', 's3:ListBucket'], ['arn:aws:s3:::data', 'arn:aws:s3:::data/*']) });
  await a.role('reader', aliceTrust, {
    policy: doc([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::data/*' },
      { Sid: 'PublicListing', Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::data', Condition: { StringLike: { 's3:prefix': 'public/*' } } },
    ]),
  });
  const { createObjectStore } = await loadExample();
  store = createObjectStore({
    rolecall: { endpoint: s.url, credentials: service.creds, clock: s.clock },
    ownerAccountId: acct,
    buckets: { data: {}, shared: {} },
    onRolecallError: (e: Error) => rolecallErrors.push(e),
  });
  storeUrl = await store.listen(0);
});

after(async () => {
  await store?.close();
  await s?.close();
});

describe('role permission policies', () => {
  it('a writer session puts and reads objects; the handler sees the principal Rolecall verified', async () => {
    const { s3: w } = await assume('writer', 'w1');
    const put = await w.call('PutObject', { Bucket: 'data', Key: 'public/a b.txt', Body: 'hello', ContentType: 'text/plain' });
    assert.equal(put.ETag, '"5d41402abc4b2a76b9719d911017c592"');
    assert.equal(store.buckets.get('data')?.objects.get('public/a b.txt')?.owner, sessionArn('writer', 'w1'));
    const got = await w.call('GetObject', { Bucket: 'data', Key: 'public/a b.txt' });
    assert.equal(await text(got), 'hello');
    assert.equal(got.ContentType, 'text/plain');
  });

  it('the AWS CLI (s3api and s3 cp/ls) works the same with role credentials', async (t) => {
    const tools = await resolveTools();
    if (!tools.aws) return t.skip('the AWS CLI is not installed');
    const home = isolatedHome();
    try {
      const { creds } = await assume('writer', 'cli');
      const env = home.env(s, creds, { AWS_ENDPOINT_URL_S3: storeUrl });
      const file = join(home.dir, 'report.csv');
      writeFileSync(file, 'a,b\n1,2\n');
      const put = await runAws(['s3api', 'put-object', '--bucket', 'data', '--key', 'cli/report.csv', '--body', file], env);
      assert.equal(put.code, 0, put.stderr);
      assert.equal(JSON.parse(put.stdout).ETag, `"${createHash('md5').update('a,b\n1,2\n').digest('hex')}"`);
      const cp = await runAws(['s3', 'cp', 's3://data/cli/report.csv', '-'], env);
      assert.equal(cp.code, 0, cp.stderr);
      assert.equal(cp.stdout, 'a,b\n1,2\n');
      const ls = await runAws(['s3', 'ls', 's3://data/cli/'], env);
      assert.match(ls.stdout, /\s8 report\.csv/);
      const { creds: readerCreds } = await assume('reader', 'cli-r');
      const denied = await runAws(['s3api', 'put-object', '--bucket', 'data', '--key', 'cli/x', '--body', file], home.env(s, readerCreds, { AWS_ENDPOINT_URL_S3: storeUrl }));
      assert.equal(denied.code, 255);
      assert.match(denied.stderr, /An error occurred \(AccessDenied\) when calling the PutObject operation: User: arn:aws:sts::\d{12}:assumed-role\/reader\/cli-r is not authorized to perform: s3:PutObject/);
    } finally {
      home.cleanup();
    }
  });

  it('a reader session reads but may not write: AccessDenied with AWS wording, in S3 XML the SDK maps', async () => {
    const { s3: w } = await assume('writer', 'w2');
    await w.call('PutObject', { Bucket: 'data', Key: 'public/r.txt', Body: 'for readers' });
    const { s3: r } = await assume('reader', 'r1');
    assert.equal(await text(await r.call('GetObject', { Bucket: 'data', Key: 'public/r.txt' })), 'for readers');
    const err = await expectError(r.call('PutObject', { Bucket: 'data', Key: 'public/r.txt', Body: 'overwrite' }), {
      name: 'AccessDenied',
      status: 403,
      message: denied(sessionArn('reader', 'r1'), 's3:PutObject', 'arn:aws:s3:::data/public/r.txt', noIdentity('s3:PutObject')),
    });
    assert.ok(err.$metadata.requestId, 'the request id comes back in x-amz-request-id');
    assert.equal(await text(await r.call('GetObject', { Bucket: 'data', Key: 'public/r.txt' })), 'for readers', 'nothing changed');
    // A missing object the reader may read is NoSuchKey (authorized first, as S3 does).
    await expectError(r.call('GetObject', { Bucket: 'data', Key: 'public/none' }), { name: 'NoSuchKey', status: 404 });
  });

  it('ListObjectsV2 passes s3:prefix as a condition key: allowed under public/, denied elsewhere or without a prefix', async () => {
    const { s3: w } = await assume('writer', 'w3');
    await w.call('PutObject', { Bucket: 'data', Key: 'public/x/1', Body: '1' });
    await w.call('PutObject', { Bucket: 'data', Key: 'private/2', Body: '2' });
    const { s3: r } = await assume('reader', 'r2');
    const list = await r.call('ListObjectsV2', { Bucket: 'data', Prefix: 'public/', Delimiter: '/' });
    assert.deepEqual(list.CommonPrefixes?.map((p: any) => p.Prefix), ['public/x/']);
    const because = noIdentity('s3:ListBucket');
    await expectError(r.call('ListObjectsV2', { Bucket: 'data', Prefix: 'private/' }), { name: 'AccessDenied', status: 403, message: denied(sessionArn('reader', 'r2'), 's3:ListBucket', 'arn:aws:s3:::data', because) });
    await expectError(r.call('ListObjectsV2', { Bucket: 'data' }), { name: 'AccessDenied', status: 403 });
    // The writer lists everything.
    const all = await w.call('ListObjectsV2', { Bucket: 'data' });
    assert.ok(all.Contents.some((o: any) => o.Key === 'private/2'));
  });

  it('service-computed object-tag keys: s3:RequestObjectTag on PutObject, s3:ExistingObjectTag on GetObject', async () => {
    await a.role('tagged-reader', trust(alice.arn), { policy: allow('s3:GetObject', 'arn:aws:s3:::data/*', { StringEquals: { 's3:ExistingObjectTag/class': 'public' } }) });
    await a.role('tagging-writer', trust(alice.arn), { policy: allow('s3:PutObject', 'arn:aws:s3:::data/*', { StringEquals: { 's3:RequestObjectTag/class': ['public', 'private'] } }) });
    const { s3: tw } = await assume('tagging-writer', 'tw');
    await tw.call('PutObject', { Bucket: 'data', Key: 'tags/open', Body: 'o', Tagging: 'class=public' });
    await tw.call('PutObject', { Bucket: 'data', Key: 'tags/closed', Body: 'c', Tagging: 'class=private' });
    await expectError(tw.call('PutObject', { Bucket: 'data', Key: 'tags/none', Body: 'n' }), { name: 'AccessDenied', status: 403 });
    const { s3: tr } = await assume('tagged-reader', 'tr');
    assert.equal(await text(await tr.call('GetObject', { Bucket: 'data', Key: 'tags/open' })), 'o');
    await expectError(tr.call('GetObject', { Bucket: 'data', Key: 'tags/closed' }), { name: 'AccessDenied', status: 403 });
  });
});

describe('session policies and permissions boundaries', () => {
  it('a session policy narrows the role: what it does not allow is denied, naming the session policy', async () => {
    const policy = allow('s3:GetObject', 'arn:aws:s3:::data/public/*');
    const { s3: c } = await assume('writer', 'narrow', { Policy: policy });
    assert.equal(await text(await c.call('GetObject', { Bucket: 'data', Key: 'public/a b.txt' })), 'hello');
    await expectError(c.call('PutObject', { Bucket: 'data', Key: 'public/n', Body: 'x' }), {
      name: 'AccessDenied',
      status: 403,
      message: denied(sessionArn('writer', 'narrow'), 's3:PutObject', 'arn:aws:s3:::data/public/n', 'because no session policy allows the s3:PutObject action'),
    });
    await expectError(c.call('GetObject', { Bucket: 'data', Key: 'private/2' }), { name: 'AccessDenied', status: 403 });
  });

  it('a permissions boundary caps the role: s3:* in the role policy, only Get/Put under the boundary', async () => {
    const boundary = (await a.rootIam.call('CreatePolicy', { PolicyName: 'S3GetPutOnly', PolicyDocument: allow(['s3:GetObject', 's3:PutObject'], '*') })).Policy.Arn;
    await a.role('bounded', trust(alice.arn), { policy: allow('s3:*', '*') });
    await a.rootIam.call('PutRolePermissionsBoundary', { RoleName: 'bounded', PermissionsBoundary: boundary });
    const { s3: b } = await assume('bounded', 'b1');
    await b.call('PutObject', { Bucket: 'data', Key: 'bounded/1', Body: 'b' });
    await expectError(b.call('DeleteObject', { Bucket: 'data', Key: 'bounded/1' }), {
      name: 'AccessDenied',
      status: 403,
      message: denied(sessionArn('bounded', 'b1'), 's3:DeleteObject', 'arn:aws:s3:::data/bounded/1', 'because no permissions boundary allows the s3:DeleteObject action'),
    });
    assert.ok(store.buckets.get('data')?.objects.has('bounded/1'), 'nothing deleted');
  });
});

describe("the service's own resource policy (bucket policy)", () => {
  it('same account: a bucket policy naming the role grants on its own; its explicit Deny wins over the identity policy', async () => {
    store.setBucketPolicy(
      'shared',
      doc([
        { Sid: 'WriterPuts', Effect: 'Allow', Principal: { AWS: roleArn('writer') }, Action: 's3:PutObject', Resource: 'arn:aws:s3:::shared/*' },
        { Sid: 'ReadersRead', Effect: 'Allow', Principal: { AWS: roleArn('reader') }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::shared/*' },
        { Sid: 'NoSecrets', Effect: 'Deny', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::shared/secret/*' },
      ]),
    );
    const { s3: w } = await assume('writer', 'sw');
    await w.call('PutObject', { Bucket: 'shared', Key: 'doc', Body: 'shared doc' });
    await w.call('PutObject', { Bucket: 'shared', Key: 'secret/key', Body: 'top secret' });
    const { s3: r } = await assume('reader', 'sr');
    assert.equal(await text(await r.call('GetObject', { Bucket: 'shared', Key: 'doc' })), 'shared doc');
    await expectError(r.call('GetObject', { Bucket: 'shared', Key: 'secret/key' }), {
      name: 'AccessDenied',
      status: 403,
      message: denied(sessionArn('reader', 'sr'), 's3:GetObject', 'arn:aws:s3:::shared/secret/key', 'with an explicit deny in a resource-based policy'),
    });
    // The writer's identity policy covers only `data`, and the bucket policy does not let it read.
    await expectError(w.call('GetObject', { Bucket: 'shared', Key: 'doc' }), { name: 'AccessDenied', status: 403 });
  });

  it('cross-account: a role of another account needs its own policy AND the bucket policy', async () => {
    const other = await secondAccount(s);
    const b = await Account.of(s, other.accountId, other.root);
    const bob = await b.user('bob', allow('sts:AssumeRole'));
    await b.role('partner', trust(bob.arn), { policy: allow('s3:GetObject', 'arn:aws:s3:::shared/*') });
    const out = await bob.sts.call('AssumeRole', { RoleArn: `arn:aws:iam::${other.accountId}:role/partner`, RoleSessionName: 'p1' });
    const p = await s3(sessionCreds(out));
    const partnerSession = sessionArn('partner', 'p1', other.accountId);
    // The bucket belongs to the store's account: without a grant there, the partner's own policy is not enough.
    await expectError(p.call('GetObject', { Bucket: 'shared', Key: 'doc' }), { name: 'AccessDenied', status: 403, message: new RegExp(`^User: ${partnerSession} is not authorized`) });
    const before = store.buckets.get('shared')?.policy as string;
    const grant = JSON.parse(before);
    grant.Statement.push({ Sid: 'Partner', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${other.accountId}:role/partner` }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::shared/*' });
    store.setBucketPolicy('shared', JSON.stringify(grant));
    assert.equal(await text(await p.call('GetObject', { Bucket: 'shared', Key: 'doc' })), 'shared doc');
    // The bucket policy alone does not do it either: a partner role without the identity grant is denied.
    await b.role('partner-bare', trust(bob.arn));
    grant.Statement.push({ Sid: 'Bare', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${other.accountId}:role/partner-bare` }, Action: 's3:GetObject', Resource: 'arn:aws:s3:::shared/*' });
    store.setBucketPolicy('shared', JSON.stringify(grant));
    const bare = await s3(sessionCreds(await bob.sts.call('AssumeRole', { RoleArn: `arn:aws:iam::${other.accountId}:role/partner-bare`, RoleSessionName: 'p2' })));
    await expectError(bare.call('GetObject', { Bucket: 'shared', Key: 'doc' }), { name: 'AccessDenied', status: 403 });
  });
});

/** Records the request each send puts on the wire (after signing), for replays. */
function recordWire(client: any): Array<{ method: string; path: string; headers: Record<string, string>; body?: unknown }> {
  const seen: Array<{ method: string; path: string; headers: Record<string, string>; body?: unknown }> = [];
  client.middlewareStack.addRelativeTo(
    (next: any) => async (args: any) => {
      const r = args.request;
      const q = buildQueryString(r.query ?? {});
      seen.push({ method: r.method, path: r.path + (q ? `?${q}` : ''), headers: { ...r.headers }, body: r.body });
      return next(args);
    },
    { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'recordWire' },
  );
  return seen;
}

describe('requests that are not what was signed, or not signed by us', () => {
  it('a request changed after signing is SignatureDoesNotMatch (403)', async () => {
    const { s3: w } = await assume('writer', 'tamper');
    w.raw.middlewareStack.addRelativeTo(
      (next: any) => async (args: any) => {
        args.request.path = args.request.path.replace('public/a', 'private/a');
        return next(args);
      },
      { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'tamper' },
    );
    await expectError(w.call('GetObject', { Bucket: 'data', Key: 'public/a b.txt' }), { name: 'SignatureDoesNotMatch', status: 403, message: /^The request signature we calculated does not match/ });
  });

  it('a changed body is refused: the signed x-amz-content-sha256 is not its hash', async () => {
    const { s3: w } = await assume('writer', 'tamper-body');
    const wire = recordWire(w.raw);
    await w.call('PutObject', { Bucket: 'data', Key: 'public/body', Body: 'original' });
    const sent = wire[0];
    assert.ok(sent);
    const r = await rawHttp(storeUrl, { method: 'PUT', path: sent.path, headers: sent.headers, body: 'tampered' });
    assert.equal(r.status, 403);
    assert.match(r.body, /<Code>SignatureDoesNotMatch<\/Code>/);
    assert.equal(store.buckets.get('data')?.objects.get('public/body')?.body.toString(), 'original');
  });

  it('a replay is accepted inside the 15-minute window and refused after it (ManualClock), then the session expires', async () => {
    const { s3: w, creds } = await assume('writer', 'replay', { DurationSeconds: 1800 });
    const wire = recordWire(w.raw);
    await w.call('GetObject', { Bucket: 'data', Key: 'public/a b.txt' });
    const sent = wire[0];
    assert.ok(sent);
    assert.equal((await rawHttp(storeUrl, { method: 'GET', path: sent.path, headers: sent.headers })).status, 200, 'SigV4 has no nonce: a replay inside the window is the same request');
    s.clock.advance(16 * 60_000);
    const late = await rawHttp(storeUrl, { method: 'GET', path: sent.path, headers: sent.headers });
    assert.equal(late.status, 403);
    assert.match(late.body, /<Code>SignatureDoesNotMatch<\/Code><Message>Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 15 min\.\)<\/Message>/);
    // Signed afresh at the server's time, the session still works; past its end it is ExpiredToken.
    assert.equal(await text(await (await s3(creds)).call('GetObject', { Bucket: 'data', Key: 'public/a b.txt' })), 'hello');
    s.clock.advance(15 * 60_000);
    await expectError((await s3(creds)).call('GetObject', { Bucket: 'data', Key: 'public/a b.txt' }), { name: 'ExpiredToken', status: 403, message: 'The security token included in the request is expired' });
  });

  it('foreign signatures: unknown key, wrong secret, forged session token, another service, an incomplete Authorization', async () => {
    const unknown = await s3({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' });
    await expectError(unknown.call('GetObject', { Bucket: 'data', Key: 'public/a b.txt' }), { name: 'InvalidClientTokenId', status: 403, message: 'The security token included in the request is invalid.' });
    const wrongSecret = await s3({ accessKeyId: alice.creds.accessKeyId, secretAccessKey: alice.creds.secretAccessKey.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')) });
    await expectError(wrongSecret.call('GetObject', { Bucket: 'data', Key: 'public/a b.txt' }), { name: 'SignatureDoesNotMatch', status: 403 });
    const { creds } = await assume('writer', 'forged');
    const forged = await s3({ ...creds, sessionToken: `${creds.sessionToken?.slice(0, -4)}AAAA` });
    await expectError(forged.call('GetObject', { Bucket: 'data', Key: 'public/a b.txt' }), { name: 'InvalidClientTokenId', status: 403, message: 'The security token included in the request is invalid' });
    // Signed for STS instead of S3 (same keys): the scope names the wrong service.
    const u = new URL(storeUrl);
    const stsSigned = await signer(creds, 'sts').sign({ method: 'GET', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path: '/data/public/a%20b.txt', query: {}, headers: { host: u.host } });
    const wrong = await rawHttp(storeUrl, { method: 'GET', path: '/data/public/a%20b.txt', headers: stsSigned.headers as Record<string, string> });
    assert.equal(wrong.status, 403);
    assert.match(wrong.body, /<Code>SignatureDoesNotMatch<\/Code><Message>Credential should be scoped to correct service: &apos;s3&apos;\.<\/Message>/);
    const incomplete = await rawHttp(storeUrl, { method: 'GET', path: '/data/public/a%20b.txt', headers: { authorization: `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/20260101/us-east-1/s3/aws4_request`, 'x-amz-date': '20260101T000000Z' } });
    assert.equal(incomplete.status, 400);
    assert.match(incomplete.body, /<Code>IncompleteSignature<\/Code><Message>Authorization header requires &apos;Signature&apos; parameter\. Authorization header requires &apos;SignedHeaders&apos; parameter\./);
    const unsigned = await rawHttp(storeUrl, { method: 'GET', path: '/data/public/a%20b.txt' });
    assert.equal(unsigned.status, 403);
    assert.match(unsigned.body, /<Code>MissingAuthenticationToken<\/Code>/);
  });
});

describe('decision cache and audit', () => {
  it('a policy change is seen by the next request (the cache follows the store), both ways', async () => {
    const { s3: r } = await assume('reader', 'cache');
    const get = () => r.call('GetObject', { Bucket: 'data', Key: 'public/r.txt' });
    assert.equal(await text(await get()), 'for readers');
    assert.equal(await text(await get()), 'for readers');
    await rootIam('PutRolePolicy', { RoleName: 'reader', PolicyName: 'deny-get', PolicyDocument: doc([{ Effect: 'Deny', Action: 's3:GetObject', Resource: '*' }]) });
    await expectError(get(), { name: 'AccessDenied', status: 403, message: /with an explicit deny in an identity-based policy$/ });
    await rootIam('DeleteRolePolicy', { RoleName: 'reader', PolicyName: 'deny-get' });
    assert.equal(await text(await get()), 'for readers');
  });

  it('a policy that reads aws:CurrentTime is decided afresh each time (never served from the cache)', async () => {
    const until = new Date(s.clock.now().getTime() + 10 * 60_000).toISOString();
    await rootIam('CreateRole', { RoleName: 'until', AssumeRolePolicyDocument: trust(alice.arn) });
    await rootIam('PutRolePolicy', { RoleName: 'until', PolicyName: 'perms', PolicyDocument: allow('s3:GetObject', 'arn:aws:s3:::data/*', { DateLessThan: { 'aws:CurrentTime': until } }) });
    const { creds } = await assume('until', 'u1');
    assert.equal(await text(await (await s3(creds)).call('GetObject', { Bucket: 'data', Key: 'public/r.txt' })), 'for readers');
    s.clock.advance(11 * 60_000);
    await expectError((await s3(creds)).call('GetObject', { Bucket: 'data', Key: 'public/r.txt' }), { name: 'AccessDenied', status: 403 });
  });

  it('denials are audited (default mode `denials`) as CloudTrail records without secrets; allowed calls are not', async () => {
    const { s3: r, creds } = await assume('reader', 'audited');
    const before = trail.events.length;
    await r.call('GetObject', { Bucket: 'data', Key: 'public/r.txt' });
    assert.equal(trail.events.length, before, 'allowed: not recorded in denials mode');
    await expectError(r.call('DeleteObject', { Bucket: 'data', Key: 'public/r.txt' }), { name: 'AccessDenied', status: 403 });
    const e = trail.events[trail.events.length - 1] as CloudTrailEvent;
    assert.equal(e.eventSource, 's3.amazonaws.com');
    assert.equal(e.eventName, 'DeleteObject');
    assert.equal(e.errorCode, 'AccessDenied');
    assert.equal(e.errorMessage, denied(sessionArn('reader', 'audited'), 's3:DeleteObject', 'arn:aws:s3:::data/public/r.txt', noIdentity('s3:DeleteObject')));
    assert.equal(e.userIdentity.type, 'AssumedRole');
    assert.equal(e.userIdentity.arn, sessionArn('reader', 'audited'));
    assert.equal(e.userIdentity.accessKeyId, creds.accessKeyId);
    assert.equal(e.userIdentity.sessionContext?.sessionIssuer?.arn, roleArn('reader'));
    assert.deepEqual(e.resources, [{ ARN: 'arn:aws:s3:::data/public/r.txt', accountId: acct }]);
    assert.equal(e.recipientAccountId, acct);
    assert.equal(e.readOnly, false);
    assert.equal(e.sourceIPAddress, '127.0.0.1');
    const all = JSON.stringify(trail.events);
    assert.ok(!all.includes(creds.secretAccessKey) && !all.includes(creds.sessionToken as string), 'no secret in any record');
    // A request that failed authentication is a denial too, with the key it claimed.
    const unknown = await s3({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' });
    await expectError(unknown.call('GetObject', { Bucket: 'data', Key: 'public/r.txt' }), { name: 'InvalidClientTokenId', status: 403 });
    const f = trail.events[trail.events.length - 1] as CloudTrailEvent;
    assert.deepEqual({ type: f.userIdentity.type, key: f.userIdentity.accessKeyId, code: f.errorCode }, { type: 'Unknown', key: 'AKIAIOSFODNN7EXAMPLE', code: 'InvalidClientTokenId' });
    assert.deepEqual(rolecallErrors, [], 'the store never failed to reach Rolecall');
  });
});
