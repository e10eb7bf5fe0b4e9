/**
 * The seven permissions-policy operations every IAM principal kind has, built from one
 * descriptor: Put/Get/Delete/List<Entity>Policy (inline) and Attach/Detach/ListAttached<Entity>Policies
 * (managed). Users and groups take the shared rules of principal-policies.ts through
 * `principalPolicyDescriptor`; roles bring their own validation, authorization and managed-policy rules.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_PutUserPolicy.html (and siblings)
 */
import { AwsError, noSuchEntity } from '../../../domain/aws-error.js';
import { policySize } from '../../../policy/index.js';
import type { PrincipalEntityType, Store } from '../../../store/ports.js';
import { defineOperation, type Operation, type OperationContext } from '../../operation.js';
import { boundaryKey, policyArnKey } from './condition-keys.js';
import { accountOf, type AttachedPolicyShape } from './entities.js';
import { pagedOutput, type Paged } from './paged-output.js';
import type { PageInput } from './pagination.js';
import { validatePolicyDocument } from './policy-document.js';
import { attachManagedPolicy, detachManagedPolicy, INLINE_AGGREGATE_LIMIT, listAttachedPolicies } from './principal-policies.js';
import { checkName } from './validate.js';

type Empty = Record<string, never>;

export type EntityPolicyOp = 'put' | 'get' | 'delete' | 'list' | 'attach' | 'detach' | 'listAttached';

type Named<N extends string> = { [K in N]: string };
export type PutEntityPolicyInput<N extends string> = Named<N> & { PolicyName: string; PolicyDocument: string };
export type EntityPolicyInput<N extends string> = Named<N> & { PolicyName: string };
export type ListEntityPoliciesInput<N extends string> = Named<N> & PageInput;
export type EntityPolicyArnInput<N extends string> = Named<N> & { PolicyArn: string };
export type ListAttachedEntityPoliciesInput<N extends string> = Named<N> & PageInput & { PathPrefix?: string };
/** Every member any of the seven inputs may carry. */
export type AnyEntityPolicyInput<N extends string> = Named<N> & PageInput & { PolicyName?: string; PolicyDocument?: string; PolicyArn?: string; PathPrefix?: string };

/** The authorization facts of one operation: `resources`, and `conditionKeys` / `resolveAuthorization` when the kind has them. */
export type EntityAuthorization<N extends string> = Pick<Operation<AnyEntityPolicyInput<N>, unknown>, 'resources' | 'conditionKeys' | 'resolveAuthorization'>;

export interface EntityPolicyDescriptor<N extends string> {
  type: PrincipalEntityType;
  /** `User` in PutUserPolicy / AttachUserPolicy / ListAttachedUserPolicies. */
  label: string;
  /** The input and GetXPolicy output member naming the entity (`UserName`). */
  nameMember: N;
  /** Resources and condition keys the operation is authorized with. */
  authorization(op: EntityPolicyOp): EntityAuthorization<N>;
  /** Validates the request and returns the caller's account, in the order the kind checks them. */
  start(op: EntityPolicyOp, input: AnyEntityPolicyInput<N>, ctx: OperationContext): string;
  /** The entity or IAM's NoSuchEntity. */
  lookup(store: Store, accountId: string, name: string): Promise<{ name: string }>;
  /** Quota on all inline policies of one entity together (non-whitespace characters). */
  inlineSizeLimit: number;
  /** Check the document's grammar before the size quota (roles) rather than after (users, groups). */
  grammarBeforeSize: boolean;
  /** Sort ListXPolicies names (users, groups) or keep the store's order (roles). */
  sortPolicyNames: boolean;
  attach(store: Store, accountId: string, ownerName: string, policyArn: string): Promise<void>;
  detach(store: Store, accountId: string, ownerName: string, policyArn: string): Promise<void>;
  listAttached(store: Store, accountId: string, ownerName: string, pathPrefix: string | undefined): Promise<AttachedPolicyShape[]>;
}

/**
 * The users' and groups' rules: authorized against the entity ARN (`iam:PolicyARN` for
 * attach/detach), PolicyName checked on Put, the shared managed-policy rules of principal-policies.ts.
 */
export function principalPolicyDescriptor<N extends string>(
  type: PrincipalEntityType,
  label: string,
  nameMember: N,
  resource: (ctx: OperationContext, name: string) => string,
  lookup: (store: Store, accountId: string, name: string) => Promise<{ name: string }>,
  /**
   * Users: the entity's current permissions boundary, `iam:PermissionsBoundary` of Put, Delete,
   * Attach and Detach (Service Authorization Reference), so a delegated administrator can be
   * kept to the users under one boundary (access_policies_boundaries.html). The entity's stored
   * path and tags come from the gateway, as for every operation named by an entity ARN.
   */
  boundaryOf?: (store: Store, accountId: string, name: string) => Promise<string | undefined>,
): EntityPolicyDescriptor<N> {
  return {
    type,
    label,
    nameMember,
    lookup,
    authorization: (op) => {
      const keys = (i: AnyEntityPolicyInput<N>) => (op === 'attach' || op === 'detach' ? policyArnKey(i.PolicyArn) : {});
      const resources = (i: AnyEntityPolicyInput<N>, ctx: OperationContext) => [resource(ctx, i[nameMember])];
      if (!boundaryOf || !(op === 'put' || op === 'delete' || op === 'attach' || op === 'detach')) return { resources, conditionKeys: keys };
      return {
        resources,
        async conditionKeys(i, ctx) {
          const name = i[nameMember];
          const boundary = typeof name === 'string' ? await boundaryOf(ctx.store, accountOf(ctx), name) : undefined;
          return { ...keys(i), ...boundaryKey(boundary) };
        },
      };
    },
    start(op, i, ctx) {
      const accountId = accountOf(ctx);
      if (op === 'put') checkName(i.PolicyName, 'policyName', 128);
      return accountId;
    },
    inlineSizeLimit: INLINE_AGGREGATE_LIMIT[type],
    grammarBeforeSize: false,
    sortPolicyNames: true,
    attach: (store, accountId, ownerName, arn) => attachManagedPolicy(store, accountId, type, ownerName, arn),
    detach: (store, accountId, ownerName, arn) => detachManagedPolicy(store, accountId, type, ownerName, arn),
    listAttached: (store, accountId, ownerName, prefix) => listAttachedPolicies(store, accountId, type, ownerName, prefix),
  };
}

/** Put, Get, Delete, List<Entity>Policy, Attach, Detach, ListAttached<Entity>Policies, in that order. */
export function entityPolicyOperations<N extends string>(d: EntityPolicyDescriptor<N>): Operation<any, any>[] {
  const { type, label, nameMember } = d;
  const op = <I, O>(kind: EntityPolicyOp, name: string, run: (input: I & AnyEntityPolicyInput<N>, accountId: string, ctx: OperationContext) => Promise<O>): Operation<I, O> =>
    defineOperation<I, O>({
      service: 'iam',
      name,
      ...(d.authorization(kind) as Pick<Operation<I, O>, 'resources'>),
      async run(input, ctx) {
        const i = input as I & AnyEntityPolicyInput<N>;
        return run(i, d.start(kind, i, ctx), ctx);
      },
    });
  /** Looks the entity up in a transaction and applies `change` to it. */
  const change = (ctx: OperationContext, accountId: string, entityName: string, fn: (tx: Store, ownerName: string) => Promise<void>): Promise<Empty> =>
    ctx.store.transaction(async (tx) => {
      const entity = await d.lookup(tx, accountId, entityName);
      await fn(tx, entity.name);
    }).then(() => ({}));

  return [
    op<PutEntityPolicyInput<N>, Empty>('put', `Put${label}Policy`, (i, accountId, ctx) =>
      change(ctx, accountId, i[nameMember], async (tx, owner) => {
        if (d.grammarBeforeSize) validatePolicyDocument(i.PolicyDocument, 'identity');
        // The aggregate counts every inline policy of the entity, the one being replaced excepted.
        const others = (await tx.inlinePolicies.list(accountId, type, owner)).filter((p) => p.policyName.toLowerCase() !== i.PolicyName.toLowerCase());
        if (others.reduce((n, p) => n + policySize(p.document), 0) + policySize(i.PolicyDocument) > d.inlineSizeLimit) {
          throw new AwsError('LimitExceeded', `Maximum policy size of ${d.inlineSizeLimit} bytes exceeded for ${type} ${owner}`);
        }
        if (!d.grammarBeforeSize) validatePolicyDocument(i.PolicyDocument, 'identity');
        await tx.inlinePolicies.put({ accountId, ownerType: type, ownerName: owner, policyName: i.PolicyName, document: i.PolicyDocument });
      }),
    ),
    op<EntityPolicyInput<N>, Named<N> & { PolicyName: string; PolicyDocument: string }>('get', `Get${label}Policy`, async (i, accountId, ctx) => {
      const entity = await d.lookup(ctx.store, accountId, i[nameMember]);
      const p = await ctx.store.inlinePolicies.get(accountId, type, entity.name, i.PolicyName);
      if (!p) throw noSuchEntity(`${type} policy`, i.PolicyName);
      // The document text as stored; the wire layer URL-encodes it as IAM does.
      return { [nameMember]: entity.name, PolicyName: p.policyName, PolicyDocument: p.document } as Named<N> & { PolicyName: string; PolicyDocument: string };
    }),
    op<EntityPolicyInput<N>, Empty>('delete', `Delete${label}Policy`, (i, accountId, ctx) =>
      change(ctx, accountId, i[nameMember], async (tx, owner) => {
        if (!(await tx.inlinePolicies.delete(accountId, type, owner, i.PolicyName))) throw noSuchEntity(`${type} policy`, i.PolicyName);
      }),
    ),
    op<ListEntityPoliciesInput<N>, { PolicyNames: string[] } & Paged>('list', `List${label}Policies`, async (i, accountId, ctx) => {
      const entity = await d.lookup(ctx.store, accountId, i[nameMember]);
      const names = (await ctx.store.inlinePolicies.list(accountId, type, entity.name)).map((p) => p.policyName);
      return pagedOutput('PolicyNames', d.sortPolicyNames ? names.sort() : names, i);
    }),
    op<EntityPolicyArnInput<N>, Empty>('attach', `Attach${label}Policy`, (i, accountId, ctx) =>
      change(ctx, accountId, i[nameMember], (tx, owner) => d.attach(tx, accountId, owner, i.PolicyArn)),
    ),
    op<EntityPolicyArnInput<N>, Empty>('detach', `Detach${label}Policy`, (i, accountId, ctx) =>
      change(ctx, accountId, i[nameMember], (tx, owner) => d.detach(tx, accountId, owner, i.PolicyArn)),
    ),
    op<ListAttachedEntityPoliciesInput<N>, { AttachedPolicies: AttachedPolicyShape[] } & Paged>('listAttached', `ListAttached${label}Policies`, async (i, accountId, ctx) => {
      const entity = await d.lookup(ctx.store, accountId, i[nameMember]);
      return pagedOutput('AttachedPolicies', await d.listAttached(ctx.store, accountId, entity.name, i.PathPrefix), i);
    }),
  ];
}
