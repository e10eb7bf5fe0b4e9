/**
 * Simulated workloads: EC2 instances and ECS tasks (0003_instances). Plain rows keyed by their
 * AWS ids; the role behind an instance is read through its instance profile at issuance time,
 * so nothing here references IAM rows.
 */
import type { InstanceRecord, InstanceRepo, TaskRecord, TaskRepo } from '../ports.js';
import { compact, count, dateToText, guardConflict, optDate, required, textToDate } from './codec.js';
import type { SqlContext } from './context.js';
import type { InstancesTable, TasksTable } from './schema.js';

function toInstance(r: InstancesTable): InstanceRecord {
  return compact<InstanceRecord>({
    id: r.id,
    accountId: r.account_id,
    region: r.region,
    availabilityZone: r.availability_zone,
    imageId: r.image_id,
    instanceType: r.instance_type,
    privateIp: r.private_ip,
    instanceProfileArn: r.instance_profile_arn,
    instanceProfileId: r.instance_profile_id,
    httpTokens: r.http_tokens === 'optional' ? 'optional' : 'required',
    imdsPort: Number(r.imds_port),
    state: r.state === 'terminated' ? 'terminated' : 'running',
    launchedAt: textToDate(r.launched_at),
    launchedBy: r.launched_by,
    terminatedAt: optDate(r.terminated_at),
  });
}

function toTask(r: TasksTable): TaskRecord {
  return {
    id: r.id,
    arn: r.arn,
    accountId: r.account_id,
    region: r.region,
    roleArn: r.role_arn,
    tokenSha256: r.token_sha256,
    startedAt: textToDate(r.started_at),
    startedBy: r.started_by,
  };
}

export function instanceRepo(ctx: SqlContext): InstanceRepo {
  return {
    async create(i) {
      await guardConflict(ctx, 'instance', i.id, () =>
        ctx
          .db()
          .insertInto('instances')
          .values({
            id: i.id,
            account_id: i.accountId,
            region: i.region,
            availability_zone: i.availabilityZone,
            image_id: i.imageId,
            instance_type: i.instanceType,
            private_ip: i.privateIp,
            instance_profile_arn: i.instanceProfileArn,
            instance_profile_id: i.instanceProfileId,
            http_tokens: i.httpTokens,
            imds_port: i.imdsPort,
            state: i.state,
            launched_at: dateToText(i.launchedAt),
            launched_by: i.launchedBy,
            terminated_at: i.terminatedAt ? dateToText(i.terminatedAt) : null,
          })
          .execute(),
      );
    },

    async get(id) {
      const r = await ctx.db().selectFrom('instances').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toInstance(r);
    },

    async list(accountId) {
      let q = ctx.db().selectFrom('instances').selectAll();
      if (accountId !== undefined) q = q.where('account_id', '=', accountId);
      return (await q.orderBy('launched_at').orderBy('id').execute()).map(toInstance);
    },

    async update(id, patch) {
      const set: Partial<InstancesTable> = {};
      if (patch.httpTokens !== undefined) set.http_tokens = required('httpTokens', patch.httpTokens);
      if (patch.imdsPort !== undefined) set.imds_port = required('imdsPort', patch.imdsPort);
      if (patch.state !== undefined) set.state = required('state', patch.state);
      if (patch.terminatedAt !== undefined) set.terminated_at = patch.terminatedAt === null ? null : dateToText(patch.terminatedAt);
      if (Object.keys(set).length === 0) return (await ctx.db().selectFrom('instances').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
      const res = await ctx.db().updateTable('instances').set(set).where('id', '=', id).executeTakeFirst();
      return count(res.numUpdatedRows) > 0;
    },

    async delete(id) {
      const res = await ctx.db().deleteFrom('instances').where('id', '=', id).executeTakeFirst();
      return count(res.numDeletedRows) > 0;
    },
  };
}

export function taskRepo(ctx: SqlContext): TaskRepo {
  return {
    async create(t) {
      await guardConflict(ctx, 'task', t.id, () =>
        ctx
          .db()
          .insertInto('tasks')
          .values({ id: t.id, arn: t.arn, account_id: t.accountId, region: t.region, role_arn: t.roleArn, token_sha256: t.tokenSha256, started_at: dateToText(t.startedAt), started_by: t.startedBy })
          .execute(),
      );
    },

    async get(id) {
      const r = await ctx.db().selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
      return r && toTask(r);
    },

    async list(accountId) {
      let q = ctx.db().selectFrom('tasks').selectAll();
      if (accountId !== undefined) q = q.where('account_id', '=', accountId);
      return (await q.orderBy('started_at').orderBy('id').execute()).map(toTask);
    },

    async delete(id) {
      const res = await ctx.db().deleteFrom('tasks').where('id', '=', id).executeTakeFirst();
      return count(res.numDeletedRows) > 0;
    },
  };
}
