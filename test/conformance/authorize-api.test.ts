/**
 * The decision point's API (`POST /_rolecall/authorize`) through the `rolecall/authorize` client,
 * for a made-up service "orders": what the answer says (principal facts, per-resource decisions,
 * matched statements, AWS messages, encoded authorization messages that sts:DecodeAuthorizationMessage
 * opens), caching, who may ask (rolecall:Authorize, scoped by rolecall:RequestedAction), the errors
 * of the call itself and of the forwarded request, service-computed context keys against principal
 * tags, audit in `all` mode, and the (req, res, next) middleware. docs/authorize.md.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { SignatureV4 } from '@smithy/signature-v4';
import { AuthorizeClient, iamMiddleware, RolecallError, ServiceError, type AuthorizeAnswer, type AuthorizeRequest, type ForwardedRequest } from '../../src/client/authorize/index.js';
import { doc, rawHttp, REGION, Sha256, signer, stsClient, type Credentials } from './support/server.js';
import { Account, allow, RecordingTrail, sessionCreds, startStsServer, trust, type Principal, type StsServer } from './support/sts-fixture.js';


let s: StsServer;
let a: Account;
let acct: string;
let alice: Principal;
let svc: Principal;
let client: AuthorizeClient;
const trail = new RecordingTrail();
const sha = (b: string) => createHash('sha256').update(b).digest('hex');

/** A request to the "orders" service, signed by the unmodified SDK signer as a client would send it. */
async function ordersRequest(creds: Credentials, opts: { method?: string; path?: string; body?: string; service?: string } = {}): Promise<ForwardedRequest> {
  const method = opts.method ?? 'POST';
  const path = opts.path ?? '/orders/42';
  const body = opts.body ?? '{"qty":1}';
  const sig = new SignatureV4({ credentials: creds, region: REGION, service: opts.service ?? 'orders', sha256: Sha256, uriEscapePath: true, applyChecksum: true });
  const headers: Record<string, string> = { host: 'orders.internal:8080', 'content-type': 'application/json', 'user-agent': 'orders-cli/1.0' };
  if (body) headers['content-length'] = String(Buffer.byteLength(body));
  const signed = await sig.sign({ method, protocol: 'http:', hostname: 'orders.internal', port: 8080, path, query: {}, headers, ...(body ? { body } : {}) }, { signingDate: s.clock.now() });
  return { method, path, query: '', headers: Object.entries(signed.headers as Record<string, string>), bodySha256: sha(body), sourceIp: '203.0.113.7' };
}

const ask = (request: ForwardedRequest, authorizations: AuthorizeRequest['authorizations'], extra: Partial<AuthorizeRequest> = {}) => client.authorize({ request, authorizations, signingName: 'orders', ...extra });

async function assumeAs(role: string, session: string, extra: Record<string, unknown> = {}): Promise<Credentials> {
  return sessionCreds(await alice.sts.call('AssumeRole', { RoleArn: `arn:aws:iam::${acct}:role/${role}`, RoleSessionName: session, ...extra }));
}

async function rejection(p: Promise<unknown>): Promise<RolecallError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof RolecallError, String(e));
    return e;
  }
  assert.fail('expected a RolecallError');
}

before(async () => {
  s = await startStsServer({ audit: trail, settings: { authorizeAudit: 'all' } });
  acct = s.accountId;
  a = await Account.of(s, acct, s.root);
  alice = await a.user('alice', allow(['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity']));
  svc = await a.user('orders-service', allow('rolecall:Authorize'));
  client = new AuthorizeClient({ endpoint: s.url, credentials: svc.creds, clock: s.clock });
  await a.role('clerk', trust(alice.arn, { actions: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'] }), {
    tags: [{ Key: 'team', Value: 'blue' }],
    policy: doc([
      { Sid: 'ReadOrders', Effect: 'Allow', Action: 'orders:Get*', Resource: 'arn:aws:orders:us-east-1:*:order/*' },
      { Sid: 'OwnTeam', Effect: 'Allow', Action: 'orders:Update', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': '${aws:PrincipalTag/team}' } } },
      { Sid: 'NoCancel', Effect: 'Deny', Action: 'orders:Cancel', Resource: '*' },
    ]),
  });
});

after(async () => {
  client?.close();
  await s?.close();
});

describe('the answer', () => {
  it('an allowed request: principal facts, matched statements, cached on repeat, audited in `all` mode', async () => {
    const creds = await assumeAs('clerk', 'c1', { Tags: [{ Key: 'desk', Value: 'd7' }], SourceIdentity: 'alice-src' });
    const req = await ordersRequest(creds, { method: 'GET', path: '/orders/42', body: '' });
    const resource = `arn:aws:orders:us-east-1:${acct}:order/42`;
    const first = await ask(req, [{ action: 'orders:GetOrder', resources: [resource] }]);
    assert.equal(first.authenticated, true);
    assert.equal(first.allowed, true);
    assert.equal(first.decision, 'allowed');
    const p = first.principal;
    assert.ok(p);
    assert.equal(p.arn, `arn:aws:sts::${acct}:assumed-role/clerk/c1`);
    assert.equal(p.principalArn, `arn:aws:iam::${acct}:role/clerk`);
    assert.equal(p.accountId, acct);
    assert.match(p.userId, /^AROA[A-Z2-7]{16}:c1$/);
    assert.equal(p.type, 'AssumedRole');
    assert.equal(p.accessKeyId, creds.accessKeyId);
    assert.equal(p.roleName, 'clerk');
    assert.deepEqual(p.tags, { team: 'blue', desk: 'd7' });
    assert.equal(p.session?.mfaAuthenticated, false);
    assert.equal(p.session?.sourceIdentity, 'alice-src');
    assert.equal(p.session?.chainDepth, 0, 'assumed with long-term keys: no chaining');
    assert.equal(p.session?.originalCaller, alice.arn);
    assert.deepEqual(first.decisions, [
      { action: 'orders:GetOrder', resource, decision: 'allowed', cached: false, matchedStatements: [{ policyId: 'perms', policyType: 'role', policyKind: 'identity', sid: 'ReadOrders', statementIndex: 0, effect: 'Allow' }] },
    ]);
    const json = JSON.stringify(first);
    assert.ok(!json.includes(creds.secretAccessKey) && !json.includes(creds.sessionToken as string), 'no secret in the answer');
    // The next identical request is served from the cache (a store write in between, such as
    // AssumeRole's RoleLastUsed landing late, would legitimately drop it once: ask again then).
    let again = await ask(req, [{ action: 'orders:GetOrder', resources: [resource] }]);
    if (!again.decisions[0]?.cached) again = await ask(req, [{ action: 'orders:GetOrder', resources: [resource] }]);
    assert.equal(again.decisions[0]?.cached, true);
    assert.equal(again.decisions[0]?.decision, 'allowed');
    const e = trail.events.find((x) => x.requestID === again.requestId);
    assert.ok(e, 'allowed calls are audited in `all` mode');
    assert.equal(e.eventSource, 'orders.amazonaws.com');
    assert.equal(e.eventName, 'GetOrder');
    assert.equal(e.readOnly, true);
    assert.equal(e.errorCode, undefined);
    assert.equal(e.sourceIPAddress, '203.0.113.7');
    assert.equal(e.userAgent, 'orders-cli/1.0');
    assert.equal(e.userIdentity.sessionContext?.sourceIdentity, 'alice-src');
  });

  it('several actions and resources: one decision each, denials with the AWS message and an encoded message', async () => {
    const creds = await assumeAs('clerk', 'c2');
    const req = await ordersRequest(creds);
    const o1 = `arn:aws:orders:us-east-1:${acct}:order/1`;
    const answer = await ask(req, [
      { action: 'orders:GetOrder', resources: [o1, `arn:aws:orders:us-east-1:${acct}:invoice/1`] },
      { action: 'orders:Cancel', resources: [o1] },
    ]);
    assert.equal(answer.allowed, false);
    assert.equal(answer.decision, 'explicitDeny');
    assert.deepEqual(
      answer.decisions.map((d) => [d.action, d.resource, d.decision, d.deniedBy]),
      [
        ['orders:GetOrder', o1, 'allowed', undefined],
        ['orders:GetOrder', `arn:aws:orders:us-east-1:${acct}:invoice/1`, 'implicitDeny', 'identity'],
        ['orders:Cancel', o1, 'explicitDeny', 'identity'],
      ],
    );
    const who = `arn:aws:sts::${acct}:assumed-role/clerk/c2`;
    assert.equal(answer.decisions[1]?.message, `User: ${who} is not authorized to perform: orders:GetOrder on resource: arn:aws:orders:us-east-1:${acct}:invoice/1 because no identity-based policy allows the orders:GetOrder action`);
    assert.equal(answer.decisions[2]?.message, `User: ${who} is not authorized to perform: orders:Cancel on resource: ${o1} with an explicit deny in an identity-based policy`);
    assert.deepEqual(answer.decisions[2]?.matchedStatements, [{ policyId: 'perms', policyType: 'role', policyKind: 'identity', sid: 'NoCancel', statementIndex: 2, effect: 'Deny' }]);
    // The encoded message opens with sts:DecodeAuthorizationMessage in the principal's account.
    const encoded = answer.decisions[2]?.encodedMessage;
    assert.ok(encoded);
    const decoded = JSON.parse((await (await stsClient(s.url, s.root)).call('DecodeAuthorizationMessage', { EncodedMessage: encoded })).DecodedMessage);
    assert.equal(decoded.allowed, false);
    assert.equal(decoded.explicitDeny, true);
    assert.equal(decoded.context.action, 'orders:Cancel');
    assert.equal(decoded.context.resource, o1);
    assert.equal(decoded.context.principal.arn, who);
    assert.equal(decoded.matchedStatements.items[0].statementId, 'NoCancel');
    assert.ok(decoded.context.conditions.items.some((c: any) => c.key === 'aws:SourceIp' && c.values.items[0].value === '203.0.113.7'));
    const denial = trail.events.find((x) => x.requestID === answer.requestId);
    assert.equal(denial?.errorCode, 'AccessDenied');
  });

  it('service-computed keys meet principal keys: aws:ResourceTag/team against ${aws:PrincipalTag/team}', async () => {
    const creds = await assumeAs('clerk', 'c3');
    const req = await ordersRequest(creds, { method: 'PUT' });
    const target = (team: string) => [{ action: 'orders:Update', resources: [`arn:aws:orders:us-east-1:${acct}:order/9`], context: { 'aws:ResourceTag/team': team } }];
    assert.equal((await ask(req, target('blue'))).allowed, true);
    const red = await ask(req, target('red'));
    assert.equal(red.allowed, false);
    assert.equal(red.decisions[0]?.cached, false, 'another context value is another decision');
    // Session tags override role tags: a session tagged team=red may update red orders.
    const redSession = await ordersRequest(await assumeAs('clerk', 'c4', { Tags: [{ Key: 'team', Value: 'red' }] }), { method: 'PUT' });
    assert.equal((await ask(redSession, target('red'))).allowed, true);
  });

  it('a policy change shows in the very next decision (the cache entry is dropped)', async () => {
    const creds = await assumeAs('clerk', 'c5');
    const req = await ordersRequest(creds, { method: 'GET', body: '' });
    const target = [{ action: 'orders:GetOrder', resources: [`arn:aws:orders:us-east-1:${acct}:order/5`] }];
    await ask(req, target);
    assert.equal((await ask(req, target)).decisions[0]?.cached, true);
    await a.rootIam.call('PutRolePolicy', { RoleName: 'clerk', PolicyName: 'freeze', PolicyDocument: doc([{ Effect: 'Deny', Action: 'orders:*', Resource: '*' }]) });
    const after = await ask(req, target);
    assert.deepEqual([after.decisions[0]?.cached, after.decisions[0]?.decision], [false, 'explicitDeny']);
    await a.rootIam.call('DeleteRolePolicy', { RoleName: 'clerk', PolicyName: 'freeze' });
    assert.equal((await ask(req, target)).decisions[0]?.decision, 'allowed');
  });

  it('a resource ARN without an account belongs to the service\'s account unless resourceAccount says otherwise', async () => {
    const creds = await assumeAs('clerk', 'c6');
    const req = await ordersRequest(creds, { method: 'GET', body: '' });
    // The clerk's policy allows orders:Get* on order ARNs with any account; a resource policy is
    // needed only when the resource is in another account.
    const resource = 'arn:aws:orders:us-east-1::order/77';
    await a.rootIam.call('PutRolePolicy', { RoleName: 'clerk', PolicyName: 'any-order', PolicyDocument: allow('orders:GetOrder', 'arn:aws:orders:us-east-1::order/*') });
    assert.equal((await ask(req, [{ action: 'orders:GetOrder', resources: [resource] }])).allowed, true);
    const foreign = await ask(req, [{ action: 'orders:GetOrder', resources: [resource], resourceAccount: '999999999999' }]);
    assert.equal(foreign.allowed, false, 'cross-account without a resource policy');
    const granted = await ask(req, [{ action: 'orders:GetOrder', resources: [resource], resourceAccount: '999999999999', resourcePolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${acct}:role/clerk` }, Action: 'orders:GetOrder', Resource: '*' }] } }]);
    assert.equal(granted.allowed, true);
    assert.deepEqual([...new Set(granted.decisions[0]?.matchedStatements.map((m) => m.policyKind))].sort(), ['identity', 'resource']);
    await a.rootIam.call('DeleteRolePolicy', { RoleName: 'clerk', PolicyName: 'any-order' });
  });
});

describe('the forwarded request fails SigV4: a 200 answer carrying AWS\'s error', () => {
  it('wrong signing name, tampered body, unknown key, unsigned', async () => {
    const creds = await assumeAs('clerk', 'f1');
    const target = [{ action: 'orders:GetOrder', resources: ['*'] }];
    const wrongService = await ask(await ordersRequest(creds, { service: 's3' }), target);
    assert.deepEqual([wrongService.authenticated, wrongService.allowed, wrongService.error], [false, false, { code: 'SignatureDoesNotMatch', message: "Credential should be scoped to correct service: 'orders'.", status: 403 }]);
    const req = await ordersRequest(creds);
    const tampered = await ask({ ...req, bodySha256: sha('{"qty":1000}') }, target);
    assert.equal(tampered.error?.code, 'SignatureDoesNotMatch');
    const unknown = await ask(await ordersRequest({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' }), target);
    assert.deepEqual(unknown.error, { code: 'InvalidClientTokenId', message: 'The security token included in the request is invalid.', status: 403 });
    const unsigned = await ask({ method: 'GET', path: '/orders/1', headers: [['Host', 'orders.internal']] }, target);
    assert.deepEqual(unsigned.error, { code: 'MissingAuthenticationToken', message: 'Request is missing Authentication Token', status: 403 });
    const ev = trail.events.find((x) => x.requestID === unknown.requestId);
    assert.equal(ev?.errorCode, 'InvalidClientTokenId');
  });

  it('the body itself (base64) may be sent instead of its hash; both must agree', async () => {
    const creds = await assumeAs('clerk', 'f2');
    const req = await ordersRequest(creds, { body: '{"qty":3}' });
    const { bodySha256: _hash, ...withoutHash } = req;
    const viaBody = await ask({ ...withoutHash, body: Buffer.from('{"qty":3}').toString('base64') }, [{ action: 'orders:GetOrder', resources: ['*'] }]);
    assert.equal(viaBody.authenticated, true);
    const e = await rejection(ask({ ...req, body: Buffer.from('{"qty":4}').toString('base64') }, [{ action: 'orders:GetOrder', resources: ['*'] }]));
    assert.deepEqual([e.code, e.status, e.message], ['ValidationError', 400, 'request.bodySha256 is not the SHA-256 of request.body.']);
  });
});

describe('the call to the decision point itself', () => {
  it('needs rolecall:Authorize: a credential without it gets AccessDenied (403)', async () => {
    const other = await a.user('not-a-service');
    const c = new AuthorizeClient({ endpoint: s.url, credentials: other.creds, clock: s.clock });
    try {
      const e = await rejection(c.authorize({ request: await ordersRequest(await assumeAs('clerk', 'x1')), authorizations: [{ action: 'orders:GetOrder', resources: ['*'] }] }));
      assert.deepEqual([e.code, e.status, e.message], ['AccessDenied', 403, `User: ${other.arn} is not authorized to perform: rolecall:Authorize on resource: * because no identity-based policy allows the rolecall:Authorize action`]);
      assert.ok(e.requestId);
      const ev = trail.events.find((x) => x.requestID === e.requestId);
      assert.deepEqual([ev?.eventSource, ev?.eventName, ev?.errorCode, ev?.userIdentity.arn], ['rolecall.amazonaws.com', 'Authorize', 'AccessDenied', other.arn]);
    } finally {
      c.close();
    }
  });

  it('remembered credentials follow the store: a deactivated key fails at once, for the service and for its clients', async () => {
    const temp = await a.user('temp-service', allow('rolecall:Authorize'));
    const c = new AuthorizeClient({ endpoint: s.url, credentials: temp.creds, clock: s.clock });
    const carol = await a.user('carol', allow('orders:GetOrder'));
    try {
      const req = await ordersRequest(carol.creds, { method: 'GET', body: '' });
      const target = [{ action: 'orders:GetOrder', resources: ['*'] }];
      assert.equal((await c.authorize({ request: req, authorizations: target })).allowed, true);
      assert.equal((await c.authorize({ request: req, authorizations: target })).allowed, true);
      await a.rootIam.call('UpdateAccessKey', { UserName: 'carol', AccessKeyId: carol.creds.accessKeyId, Status: 'Inactive' });
      const after = await c.authorize({ request: req, authorizations: target });
      assert.deepEqual([after.authenticated, after.error?.code], [false, 'InvalidClientTokenId']);
      await a.rootIam.call('UpdateAccessKey', { UserName: 'temp-service', AccessKeyId: temp.creds.accessKeyId, Status: 'Inactive' });
      const e = await rejection(c.authorize({ request: req, authorizations: target }));
      assert.deepEqual([e.code, e.status, e.message], ['InvalidClientTokenId', 403, 'The security token included in the request is invalid.']);
    } finally {
      c.close();
    }
  });

  it('rolecall:RequestedAction scopes a service credential to its own actions', async () => {
    const scoped = await a.user('scoped-service', allow('rolecall:Authorize', '*', { 'ForAllValues:StringLike': { 'rolecall:RequestedAction': 'orders:*' } }));
    const c = new AuthorizeClient({ endpoint: s.url, credentials: scoped.creds, clock: s.clock });
    try {
      const req = await ordersRequest(await assumeAs('clerk', 'x2'));
      assert.equal((await c.authorize({ request: req, authorizations: [{ action: 'orders:GetOrder', resources: ['*'] }] })).authenticated, true);
      const e = await rejection(c.authorize({ request: req, authorizations: [{ action: 'orders:GetOrder', resources: ['*'] }, { action: 's3:GetObject', resources: ['*'] }] }));
      assert.equal(e.code, 'AccessDenied');
    } finally {
      c.close();
    }
  });

  it('unsigned, wrongly scoped or malformed calls get AWS errors and change nothing', async () => {
    const unsigned = await rawHttp(s.url, { method: 'POST', path: '/_rolecall/authorize', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(unsigned.status, 403);
    assert.deepEqual(JSON.parse(unsigned.body).error, { code: 'MissingAuthenticationToken', message: 'Request is missing Authentication Token', status: 403 });
    assert.equal(unsigned.headers['x-amzn-errortype'], 'MissingAuthenticationToken');
    const u = new URL(s.url);
    const body = '{}';
    const stsScoped = await signer(svc.creds, 'sts').sign({ method: 'POST', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path: '/_rolecall/authorize', query: {}, headers: { host: u.host, 'content-type': 'application/json' }, body }, { signingDate: s.clock.now() });
    const wrong = await rawHttp(s.url, { method: 'POST', path: '/_rolecall/authorize', headers: stsScoped.headers as Record<string, string>, body });
    assert.equal(wrong.status, 403);
    assert.equal(JSON.parse(wrong.body).error.message, "Credential should be scoped to correct service: 'rolecall'.");

    const req = await ordersRequest(await assumeAs('clerk', 'x3'));
    const cases: Array<[Partial<AuthorizeRequest> & Record<string, unknown>, string, RegExp]> = [
      [{ authorizations: [{ action: 'orders:GetOrder', resources: ['*'], context: { 'aws:PrincipalArn': 'arn:aws:iam::1:root' } }] }, 'ValidationError', /aws:PrincipalArn is set by Rolecall/],
      [{ authorizations: [{ action: 'orders:GetOrder', resources: ['*'], context: { 'aws:MultiFactorAuthPresent': 'true' } }] }, 'ValidationError', /MultiFactorAuthPresent/],
      [{ authorizations: [{ action: 'orders:GetOrder', resources: ['*'], context: { 'aws:PrincipalTag/team': 'red' } }] }, 'ValidationError', /PrincipalTag/],
      [{ authorizations: [{ action: 'orders:GetOrder', resources: ['*'], resourcePolicy: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*"}]}' }] }, 'MalformedPolicyDocument', /resourcePolicy/],
      [{ authorizations: [{ action: 'orders Get', resources: ['*'] }] }, 'ValidationError', /action must be an action name/],
      [{ authorizations: [{ action: 'orders:Get', resources: ['order/1'] }] }, 'ValidationError', /is not an ARN/],
      [{ authorizations: [{ action: 'orders:Get', resources: Array.from({ length: 101 }, (_, i) => `arn:aws:orders:::o/${i}`) }] }, 'ValidationError', /At most 100/],
      [{ authorizations: [] }, 'ValidationError', /non-empty/],
    ];
    for (const [extra, code, message] of cases) {
      const e = await rejection(client.authorize({ request: req, authorizations: [], ...extra } as AuthorizeRequest));
      assert.equal(e.code, code, JSON.stringify(extra).slice(0, 120));
      assert.equal(e.status, 400);
      assert.match(e.message, message);
    }
    const e = await rejection(client.authorize({ authorizations: [{ action: 'orders:Get', resources: ['*'] }] } as unknown as AuthorizeRequest));
    assert.match(e.message, /request is required/);
  });
});

describe('the (req, res, next) middleware', () => {
  let server: Server;
  let base: string;
  const rolecallErrors: Error[] = [];
  let rolecallUrl = '';

  before(async () => {
    rolecallUrl = s.url;
    const mw = iamMiddleware({
      rolecall: { endpoint: s.url, credentials: svc.creds, clock: s.clock },
      signingName: 'orders',
      resolve: (req: IncomingMessage, url) => {
        const id = url.path.split('/')[2];
        if (!id) throw new ServiceError('NotFound', 'No such route', 404);
        return { action: req.method === 'GET' ? 'orders:GetOrder' : 'orders:Update', resources: [`arn:aws:orders:us-east-1:${acct}:order/${id}`], context: { 'aws:ResourceTag/team': 'blue' } };
      },
      renderError: (res: ServerResponse, err, requestId) => {
        res.writeHead(err.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ code: err.code, message: err.message, requestId }));
      },
      onRolecallError: (e) => rolecallErrors.push(e),
    });
    // A bare Connect-style chain: the middleware, then the route.
    server = createServer((req, res) =>
      mw(req, res, (err?: unknown) => {
        if (err) {
          res.writeHead(500);
          res.end(String(err));
          return;
        }
        const r = req as IncomingMessage & { rolecall: AuthorizeAnswer; rawBody: Buffer };
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ who: r.rolecall.principal?.arn, body: r.rawBody.toString() }));
      }),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise<void>((r) => server.close(() => r()));
  });

  async function sign(creds: Credentials, method: string, path: string, body: string): Promise<Record<string, string>> {
    const u = new URL(base);
    const sig = new SignatureV4({ credentials: creds, region: REGION, service: 'orders', sha256: Sha256, uriEscapePath: true, applyChecksum: true });
    const signed = await sig.sign({ method, protocol: 'http:', hostname: u.hostname, port: Number(u.port), path, query: {}, headers: { host: u.host, 'content-type': 'application/json', ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}) }, ...(body ? { body } : {}) }, { signingDate: s.clock.now() });
    return signed.headers as Record<string, string>;
  }

  async function call(creds: Credentials, method: string, path: string, body: string) {
    return rawHttp(base, { method, path, headers: await sign(creds, method, path, body), body });
  }

  it('calls next() for an allowed request, with the principal and the raw body; renders denials and route errors', async () => {
    const creds = await assumeAs('clerk', 'm1');
    const ok = await call(creds, 'PUT', '/orders/3', '{"qty":2}');
    assert.equal(ok.status, 200);
    assert.deepEqual(JSON.parse(ok.body), { who: `arn:aws:sts::${acct}:assumed-role/clerk/m1`, body: '{"qty":2}' });
    // The same signature over other bytes (same length): refused, the handler never runs.
    const headers = await sign(creds, 'PUT', '/orders/3', '{"qty":2}');
    const tampered = await rawHttp(base, { method: 'PUT', path: '/orders/3', headers, body: '{"qty":9}' });
    assert.deepEqual([tampered.status, JSON.parse(tampered.body).code], [403, 'SignatureDoesNotMatch']);
    const bob = await a.user('bob-no-perms');
    const denied = await call(bob.creds, 'GET', '/orders/3', '');
    assert.equal(denied.status, 403);
    assert.equal(JSON.parse(denied.body).code, 'AccessDenied');
    assert.match(JSON.parse(denied.body).message, /^User: arn:aws:iam::\d{12}:user\/bob-no-perms is not authorized to perform: orders:GetOrder/);
    const notFound = await call(creds, 'GET', '/orders', '');
    assert.deepEqual([notFound.status, JSON.parse(notFound.body).code], [404, 'NotFound']);
    assert.deepEqual(rolecallErrors, []);
  });

  it('fails closed with a 500 InternalError when Rolecall cannot be asked', async () => {
    const mw = iamMiddleware({ rolecall: { endpoint: 'http://127.0.0.1:1', credentials: svc.creds, timeoutMs: 2000 }, resolve: () => ({ action: 'orders:GetOrder', resources: ['*'] }), onRolecallError: (e) => rolecallErrors.push(e) });
    const down = createServer((req, res) => mw(req, res, () => res.end('should not run')));
    await new Promise<void>((r) => down.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(down.address() as AddressInfo).port}`;
      const r = await rawHttp(url, { method: 'GET', path: '/orders/1' });
      assert.equal(r.status, 500);
      assert.match(r.body, /<Code>InternalError<\/Code>/);
      assert.equal(rolecallErrors.length, 1);
      assert.equal((rolecallErrors[0] as RolecallError).code, 'ServiceUnavailable');
      assert.ok(rolecallUrl);
    } finally {
      await new Promise<void>((r) => down.close(() => r()));
    }
  });
});
