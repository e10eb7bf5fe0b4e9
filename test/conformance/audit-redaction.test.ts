/**
 * Secrets never reach the audit trail or the logs. The real server runs as a child process with
 * trace-level logging; a sequence issues every kind of secret Rolecall hands out or accepts:
 * access key secrets, temporary credentials and session tokens (AssumeRole with MFA, a chained
 * AssumeRole, GetSessionToken with MFA, GetFederationToken), a virtual MFA seed, the TOTP codes
 * that enabled it and authenticated with it, a future code tried too early, a malformed code
 * echoed by a validation error. Then the whole database (file, WAL, shared memory: while running
 * and after shutdown), everything the server printed, and the exported events are searched for
 * each of them. The events themselves must be there, with what is not secret.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { base32Decode, timeStep, totpCode } from '../../src/services/iam/shared/totp.js';
import { AUDIT_JOURNAL_DIR, SQLITE_FILE } from '../../src/store/sqlite/index.js';
import { CLI_MAIN, startChildServer, type ChildServer } from './support/child-server.js';
import { doc, iamClient, runProcess, stsClient, tempDir, type Credentials } from './support/server.js';

const dirs: string[] = [];
const children: ChildServer[] = [];
after(async () => {
  for (const c of children) await c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** Waits until the current 30 s TOTP step has at least `ms` left. */
async function awayFromStepEdge(ms = 5000): Promise<void> {
  const left = 30_000 - (Date.now() % 30_000);
  if (left < ms) await new Promise((r) => setTimeout(r, left + 200));
}

const sessionCreds = (c: any): Credentials => ({ accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken });

describe('audit redaction', () => {
  it('no secret issued or accepted appears in the database files, the logs or the events', async () => {
    const dataDir = tempDir('audit-redact');
    dirs.push(dataDir);
    const server = await startChildServer({ dataDir, env: { ROLECALL_LOG_LEVEL: 'trace' } });
    children.push(server);
    const acct = server.accountId;
    const iam = await iamClient(server.url, server.root);
    /** Long secrets (searched as text) and TOTP codes (searched as standalone digit runs). */
    const secrets: Array<[string, string]> = [['root secret', server.root.secretAccessKey]];
    const codes: Array<[string, string]> = [];

    await iam.call('CreateUser', { UserName: 'sam' });
    const key = (await iam.call('CreateAccessKey', { UserName: 'sam' })).AccessKey;
    secrets.push(['access key secret', key.SecretAccessKey]);
    const sam: Credentials = { accessKeyId: key.AccessKeyId, secretAccessKey: key.SecretAccessKey };
    await iam.call('PutUserPolicy', { UserName: 'sam', PolicyName: 'fed', PolicyDocument: doc([{ Effect: 'Allow', Action: ['sts:GetFederationToken', 'iam:ListRoles'], Resource: '*' }]) });

    const device = (await iam.call('CreateVirtualMFADevice', { VirtualMFADeviceName: 'sam-mfa' })).VirtualMFADevice;
    const seedText = Buffer.from(device.Base32StringSeed).toString('ascii');
    const seed = base32Decode(seedText);
    secrets.push(['MFA seed (base32)', seedText], ['MFA seed (hex)', seed.toString('hex')], ['MFA seed (base64)', seed.toString('base64')]);
    assert.ok(device.QRCodePNG.length > 100);
    await awayFromStepEdge();
    const now = Date.now();
    const at = (steps: number) => new Date(now + steps * 30_000);
    const [c1, c2] = [totpCode(seed, at(-2)), totpCode(seed, at(-1))];
    await iam.call('EnableMFADevice', { UserName: 'sam', SerialNumber: device.SerialNumber, AuthenticationCode1: c1, AuthenticationCode2: c2 });
    codes.push(['enable code 1', c1], ['enable code 2', c2]);

    const trust = doc([{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${acct}:user/sam` }, Action: 'sts:AssumeRole', Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } }]);
    const role = (await iam.call('CreateRole', { RoleName: 'guarded', AssumeRolePolicyDocument: trust })).Role;
    await iam.call('PutRolePolicy', { RoleName: 'guarded', PolicyName: 'chain', PolicyDocument: doc([{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }]) });
    const next = (await iam.call('CreateRole', { RoleName: 'next', AssumeRolePolicyDocument: doc([{ Effect: 'Allow', Principal: { AWS: role.Arn }, Action: 'sts:AssumeRole' }]) })).Role;

    const samSts = await stsClient(server.url, sam);
    const c3 = totpCode(seed, at(0));
    const assumed = await samSts.call('AssumeRole', { RoleArn: role.Arn, RoleSessionName: 'sam-mfa', SerialNumber: device.SerialNumber, TokenCode: c3 });
    codes.push(['AssumeRole code', c3]);
    const c4 = totpCode(seed, at(1));
    const gst = await samSts.call('GetSessionToken', { SerialNumber: device.SerialNumber, TokenCode: c4, DurationSeconds: 900 });
    codes.push(['GetSessionToken code', c4]);
    const fed = await samSts.call('GetFederationToken', { Name: 'sam-fed', Policy: doc([{ Effect: 'Allow', Action: 'iam:ListRoles', Resource: '*' }]) });
    const chained = await (await stsClient(server.url, sessionCreds(assumed.Credentials))).call('AssumeRole', { RoleArn: next.Arn, RoleSessionName: 'hop' });
    for (const [label, out] of [['AssumeRole', assumed], ['GetSessionToken', gst], ['GetFederationToken', fed], ['chained AssumeRole', chained]] as const) {
      secrets.push([`${label} secret`, out.Credentials.SecretAccessKey], [`${label} session token`, out.Credentials.SessionToken]);
    }
    // Refused: a code from the future (a real code, valid later), a malformed one.
    const c5 = totpCode(seed, at(6));
    await assert.rejects(samSts.call('AssumeRole', { RoleArn: role.Arn, RoleSessionName: 'early', SerialNumber: device.SerialNumber, TokenCode: c5 }), (e: any) => e.name === 'AccessDenied');
    codes.push(['future code', c5]);
    await assert.rejects(samSts.call('AssumeRole', { RoleArn: role.Arn, RoleSessionName: 'short', SerialNumber: device.SerialNumber, TokenCode: '40404' }), (e: any) => e.name === 'ValidationError' && e.message.includes("'40404'"));
    codes.push(['malformed code (echoed to the client by AWS wording)', '40404']);
    // Sessions at work.
    await (await iamClient(server.url, sessionCreds(gst.Credentials))).call('ListRoles', {});
    await (await stsClient(server.url, sessionCreds(fed.Credentials))).call('GetCallerIdentity', {});
    assert.ok(new Set(codes.map(([, c]) => c)).size === codes.length, 'distinct codes');

    // The database, its WAL and shm files, and the audit journal's segments (listed when read:
    // segments come and go as the journal is indexed).
    const journalDir = join(dataDir, AUDIT_JOURNAL_DIR);
    const journalFiles = () => (existsSync(journalDir) ? readdirSync(journalDir).map((f) => join(journalDir, f)) : []);
    const dbFiles = [SQLITE_FILE, `${SQLITE_FILE}-wal`, `${SQLITE_FILE}-shm`].map((f) => join(dataDir, f));
    const stored = () => [...dbFiles, ...journalFiles()];
    const check = (label: string, text: string) => {
      for (const [what, secret] of secrets) {
        assert.equal(text.includes(secret), false, `${what} found in ${label}`);
        assert.equal(text.includes(secret.slice(0, 24)), false, `the start of ${what} found in ${label}`);
      }
      for (const [what, code] of codes) assert.doesNotMatch(text, new RegExp(`(^|[^0-9])${code}([^0-9]|$)`), `${what} found in ${label}`);
    };

    // A file read while the server runs, before it indexed its journal.
    for (const f of journalFiles()) if (existsSync(f)) check(`${f} (journal, server running)`, readFileSync(f).toString('latin1'));
    // Out-of-band readers (the CLI below) see events once the server indexed its journal, within
    // ~100 ms; LookupEvents (as any read through the server) indexes it first.
    const ct = await import(String('@aws-sdk/client-cloudtrail'));
    const trail = new ct.CloudTrailClient({ endpoint: server.url, region: 'us-east-1', credentials: server.root, maxAttempts: 1 });
    await trail.send(new ct.LookupEventsCommand({ MaxResults: 1 }));
    trail.destroy();
    // The events are there, minus the secrets.
    const exported = await runProcess(process.execPath, [CLI_MAIN, 'audit', 'export', '--data-dir', dataDir, '--account', acct], { env: { PATH: process.env.PATH ?? '' } });
    assert.equal(exported.code, 0, exported.stderr);
    const events = exported.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const find = (name: string, pred: (e: any) => boolean = () => true) => events.find((e) => e.eventName === name && pred(e));
    assert.deepEqual(find('EnableMFADevice')?.requestParameters, { userName: 'sam', serialNumber: device.SerialNumber });
    assert.deepEqual(find('CreateVirtualMFADevice')?.responseElements, { virtualMFADevice: { serialNumber: device.SerialNumber } });
    assert.deepEqual(find('CreateAccessKey')?.responseElements.accessKey.accessKeyId, key.AccessKeyId);
    assert.deepEqual(find('AssumeRole', (e) => e.requestParameters?.roleSessionName === 'sam-mfa')?.requestParameters, { roleArn: role.Arn, roleSessionName: 'sam-mfa', serialNumber: device.SerialNumber });
    assert.deepEqual(find('GetSessionToken')?.responseElements.credentials.accessKeyId, gst.Credentials.AccessKeyId);
    assert.deepEqual(find('GetFederationToken')?.responseElements.federatedUser.arn, `arn:aws:sts::${acct}:federated-user/sam-fed`);
    assert.equal(find('AssumeRole', (e) => e.requestParameters?.roleSessionName === 'early')?.errorCode, 'AccessDenied');
    const malformed = find('AssumeRole', (e) => e.errorCode === 'ValidationError');
    assert.match(malformed?.errorMessage ?? '', /Value 'HIDDEN_DUE_TO_SECURITY_REASONS' at 'tokenCode'/);
    check('the exported events', exported.stdout);

    for (const f of stored()) if (existsSync(f)) check(`${f} (server running)`, readFileSync(f).toString('latin1'));
    assert.equal(await server.kill('SIGTERM'), 0);
    for (const f of stored()) if (existsSync(f)) check(`${f} (after shutdown)`, readFileSync(f).toString('latin1'));
    assert.deepEqual(journalFiles(), [], 'a clean shutdown indexes the journal and removes its segments');
    check('the server output (trace level)', server.output());
    assert.match(server.output(), /Rolecall listening on/);
  });
});
