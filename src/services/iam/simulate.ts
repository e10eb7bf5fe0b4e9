/**
 * The IAM policy simulator as API operations: SimulateCustomPolicy (policies passed as strings)
 * and SimulatePrincipalPolicy (the policies of a user, group or role in the caller's account).
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html
 *
 * SimulatePrincipalPolicy evaluates the entity's inline and attached managed policies (default
 * versions; for a user also those of its groups), any extra `PolicyInputList` documents, and the
 * entity's permissions boundary unless `PermissionsBoundaryPolicyInputList` replaces it (one
 * boundary is in effect). `CallerArn` must be an IAM user; it defaults to the source when that is
 * a user, and a `ResourcePolicy` needs it otherwise ("as if Bob had David's policies").
 * Matched statements name stored policies by policy name with `SourcePolicyType` user, group,
 * role, user-managed or aws-managed, and extra documents as `PolicyInputList.N`.
 */
import { AwsError, noSuchEntity } from '../../domain/aws-error.js';
import { rootArn } from '../../domain/arns.js';
import { accountOfArn, parseArn, principalFromArn, type PolicySet, type RequestPrincipal } from '../../policy/index.js';
import type { PrincipalEntityType } from '../../store/ports.js';
import type { Operation } from '../operation.js';
import { identityPolicySet } from './shared/identity-policies.js';
import { callerAccount, defineIamOperation } from './shared/operation-kit.js';
import { checkFields, rules } from './shared/validation.js';
import {
  checkSimulationRequest,
  loadSimulationPolicy,
  runSimulation,
  simulateCustomPolicy,
  type SimulateCustomPolicyInput,
  type SimulatePolicyResponse,
  type SimulationRun,
} from './simulate-custom-policy.js';

const simulateCustom = defineIamOperation<SimulateCustomPolicyInput, SimulatePolicyResponse>({
  service: 'iam',
  name: 'SimulateCustomPolicy',
  resources: () => ['*'],
  async run(input, ctx) {
    const account = callerAccount(ctx);
    // Without CallerArn or ResourceOwner the simulated caller belongs to the calling account.
    const owner = input.ResourceOwner ?? (input.CallerArn ? undefined : rootArn(account));
    return simulateCustomPolicy(owner === undefined ? input : { ...input, ResourceOwner: owner });
  },
});

export interface SimulatePrincipalPolicyInput extends Omit<SimulateCustomPolicyInput, 'PolicyInputList'> {
  PolicySourceArn: string;
  PolicyInputList?: string[];
}

function sourceEntity(arn: string): { type: PrincipalEntityType; account: string; name: string } | undefined {
  const a = parseArn(arn);
  if (!a || a.service !== 'iam' || !/^\d{12}$/.test(a.account)) return undefined;
  const m = /^(user|group|role)\/(?:.*\/)?([\w+=,.@-]+)$/.exec(a.resource);
  if (!m) return undefined;
  return { type: m[1] as PrincipalEntityType, account: a.account, name: m[2] as string };
}

const simulatePrincipal = defineIamOperation<SimulatePrincipalPolicyInput, SimulatePolicyResponse>({
  service: 'iam',
  name: 'SimulatePrincipalPolicy',
  // The IAM action's resource is the simulated user, group or role.
  resources: (input) => [typeof input.PolicySourceArn === 'string' ? input.PolicySourceArn : '*'],
  async run(input, ctx) {
    const account = callerAccount(ctx);
    checkFields([rules.arn('policySourceArn', input.PolicySourceArn)]);
    checkSimulationRequest(input);
    const src = sourceEntity(input.PolicySourceArn);
    if (!src) throw new AwsError('InvalidInput', `Invalid Entity Arn: ${input.PolicySourceArn}`);
    const store = ctx.store;
    const rec =
      src.account !== account
        ? undefined
        : src.type === 'user'
          ? await store.users.get(account, src.name)
          : src.type === 'group'
            ? await store.groups.get(account, src.name)
            : await store.roles.get(account, src.name);
    if (!rec || rec.arn !== input.PolicySourceArn) throw noSuchEntity(src.type, src.name);
    if (input.ResourcePolicy !== undefined && src.type !== 'user' && !input.CallerArn) {
      throw new AwsError('InvalidInput', 'CallerArn is required when ResourcePolicy is provided and PolicySourceArn is not an IAM user.');
    }

    const gathered = await identityPolicySet(store, { type: src.type, accountId: account, name: rec.name });
    const extra = (input.PolicyInputList ?? []).map((d, i) => loadSimulationPolicy(d, 'identity', `PolicyInputList.${i + 1}`));
    const set: PolicySet = { identity: [...gathered.identity, ...extra] };
    const boundaryDoc = input.PermissionsBoundaryPolicyInputList?.[0];
    if (boundaryDoc !== undefined) set.boundary = loadSimulationPolicy(boundaryDoc, 'boundary', 'PermissionsBoundaryPolicyInputList.1');
    else if (gathered.boundary) set.boundary = gathered.boundary;
    if (input.ResourcePolicy !== undefined) set.resource = loadSimulationPolicy(input.ResourcePolicy, 'resource', 'ResourcePolicy', 'resource');

    let principal: RequestPrincipal;
    if (input.CallerArn) {
      const p = principalFromArn(input.CallerArn);
      if (!p || p.type !== 'User') throw new AwsError('InvalidInput', `Invalid CallerArn ${input.CallerArn}: the caller must be an IAM user.`);
      principal = p;
    } else if (src.type === 'user') {
      principal = { type: 'User', account, arn: rec.arn, id: rec.id };
    } else if (src.type === 'role') {
      principal = { type: 'AssumedRole', account, roleArn: rec.arn, roleId: rec.id };
    } else {
      principal = { type: 'User', account };
    }
    let ownerAccount = principal.account ?? account;
    if (input.ResourceOwner !== undefined) {
      const acct = accountOfArn(input.ResourceOwner);
      if (!acct || !/^arn:[^:]+:iam::\d{12}:root$/.test(input.ResourceOwner)) throw new AwsError('InvalidInput', `Invalid ResourceOwner ${input.ResourceOwner}: use arn:aws:iam::ACCOUNT-ID:root.`);
      ownerAccount = acct;
    }
    const run: SimulationRun = { set, principal, ownerAccount };
    return runSimulation(run, input);
  },
});

export const simulateOperations: Operation<any, any>[] = [simulateCustom, simulatePrincipal];
