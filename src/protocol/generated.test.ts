import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AWS_ERRORS } from '../domain/aws-error.js';
import { PROTOCOL_ERRORS } from './errors.js';
import { ACCESSANALYZER_MODEL, ACCESSANALYZER_MODEL_SHA256 } from './models/accessanalyzer.js';
import { CLOUDTRAIL_MODEL, CLOUDTRAIL_MODEL_SHA256 } from './models/cloudtrail.js';
import { IAM_MODEL, IAM_MODEL_SHA256 } from './models/iam.js';
import { STS_MODEL, STS_MODEL_SHA256 } from './models/sts.js';
import { SERVICES } from './services.js';
import type { OperationInput, OperationOutput } from './operations.js';

const ROOT = new URL('../../../', import.meta.url);

describe('generated model modules', () => {
  for (const [name, model, sha] of [
    ['iam', IAM_MODEL, IAM_MODEL_SHA256],
    ['sts', STS_MODEL, STS_MODEL_SHA256],
    ['cloudtrail', CLOUDTRAIL_MODEL, CLOUDTRAIL_MODEL_SHA256],
    ['accessanalyzer', ACCESSANALYZER_MODEL, ACCESSANALYZER_MODEL_SHA256],
  ] as const) {
    it(`${name}: the TS data module is models/${name}.json`, () => {
      const text = readFileSync(new URL(`models/${name}.json`, ROOT), 'utf8').trimEnd();
      assert.equal(createHash('sha256').update(text).digest('hex'), sha);
      assert.deepEqual(JSON.parse(text), model);
      assert.doesNotMatch(text, /"documentation"/);
    });
  }

  it('PROVENANCE.json records botocore and the hash of every output', () => {
    const prov = JSON.parse(readFileSync(new URL('models/PROVENANCE.json', ROOT), 'utf8')) as { botocore: string; files: Array<{ output: string; outputSha256: string }> };
    assert.match(prov.botocore, /^\d+\.\d+\.\d+$/);
    for (const f of prov.files) {
      assert.equal(createHash('sha256').update(readFileSync(new URL(f.output, ROOT), 'utf8')).digest('hex'), f.outputSha256, f.output);
    }
  });

  it('matches what scripts/update-models.mjs would write from the installed botocore', (t) => {
    const probe = spawnSync('python3', ['-c', 'import botocore; print(botocore.__version__)'], { encoding: 'utf8' });
    const prov = JSON.parse(readFileSync(new URL('models/PROVENANCE.json', ROOT), 'utf8')) as { botocore: string };
    if (probe.status !== 0 || probe.stdout.trim() !== prov.botocore) {
      t.skip(`botocore ${prov.botocore} is not installed for python3`);
      return;
    }
    const r = spawnSync(process.execPath, [new URL('scripts/update-models.mjs', ROOT).pathname, '--check'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr + r.stdout);
  });
});

describe('generated error tables', () => {
  it('carry each exception shape with its wire code, status and fault', () => {
    for (const svc of Object.values(SERVICES)) {
      for (const [name, shape] of Object.entries(svc.model.shapes)) {
        if (shape.type !== 'structure' || !shape.exception) continue;
        const code = shape.error?.code ?? name;
        const row = svc.errors[code];
        assert.ok(row, `${svc.name}: ${code}`);
        assert.equal(row.shape, name);
        assert.equal(row.status, shape.error?.httpStatusCode ?? 400);
        assert.equal(row.sender, shape.error ? shape.error.senderFault === true : true);
      }
    }
    assert.deepEqual(SERVICES.iam.errors['NoSuchEntity'], { status: 404, sender: true, shape: 'NoSuchEntityException' });
    assert.deepEqual(SERVICES.iam.errors['ServiceFailure'], { status: 500, sender: false, shape: 'ServiceFailureException' });
    assert.deepEqual(SERVICES.sts.errors['ExpiredTokenException'], { status: 400, sender: true, shape: 'ExpiredTokenException' });
  });

  it('agree with every modeled code in the domain registry (src/domain/aws-error.ts)', () => {
    const tables = [SERVICES.iam.errors, SERVICES.sts.errors, SERVICES.cloudtrail.errors, PROTOCOL_ERRORS as Record<string, { status: number; sender: boolean }>];
    for (const [code, spec] of Object.entries(AWS_ERRORS)) {
      for (const table of tables) {
        const row = table[code];
        if (row) assert.deepEqual({ status: spec.status, sender: spec.sender }, { status: row.status, sender: row.sender }, code);
      }
    }
  });
});

describe('generated types', () => {
  it('name inputs and outputs after the model shapes', () => {
    const input: OperationInput<'iam', 'CreateRole'> = { RoleName: 'r', AssumeRolePolicyDocument: '{}', Tags: [{ Key: 'k', Value: 'v' }] };
    const output: OperationOutput<'sts', 'GetCallerIdentity'> = { Account: '111122223333' };
    const none: OperationOutput<'iam', 'DeleteRole'> = undefined;
    const event: NonNullable<OperationOutput<'cloudtrail', 'LookupEvents'>['Events']>[number] = { EventTime: new Date(0) };
    assert.ok(input && output && none === undefined && event);
  });
});
