/**
 * Authorization facts of operations on an existing role: the role's ARN (with its path), its
 * tags as `aws:ResourceTag/k`, and for the actions that support it the role's current permissions
 * boundary as `iam:PermissionsBoundary`.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
 */
import type { ContextValue } from '../../../policy/index.js';
import type { RoleRecord } from '../../../store/ports.js';
import type { OperationContext } from '../../operation.js';
import { callerAccount, roleArnGuess, type ResolvedAuthorization } from './operation-kit.js';
import { resourceTagKeys } from './tag-input.js';

export interface RoleAuthOptions<I> {
  /** Put the role's current boundary in `iam:PermissionsBoundary` (Attach/Detach/Put/DeleteRolePolicy, DeleteRolePermissionsBoundary). */
  currentBoundary?: boolean;
  /** Request-specific keys (e.g. `iam:PolicyARN`), also returned by the sync `conditionKeys`. */
  keys?: (input: I) => Record<string, ContextValue>;
}

export function roleAuthorization<I extends { RoleName: string }>(opts: RoleAuthOptions<I> = {}) {
  return {
    resources: (input: I, ctx: OperationContext): string[] => [roleArnGuess(ctx, input.RoleName)],
    conditionKeys: (input: I): Record<string, ContextValue> => opts.keys?.(input) ?? {},
    async resolveAuthorization(input: I, ctx: OperationContext): Promise<ResolvedAuthorization> {
      const role: RoleRecord | undefined = typeof input.RoleName === 'string' ? await ctx.store.roles.get(callerAccount(ctx), input.RoleName) : undefined;
      const conditionKeys: Record<string, ContextValue> = { ...(opts.keys?.(input) ?? {}) };
      if (role) {
        Object.assign(conditionKeys, resourceTagKeys(role.tags));
        if (opts.currentBoundary && role.permissionsBoundaryArn) conditionKeys['iam:PermissionsBoundary'] = role.permissionsBoundaryArn;
      }
      return { resources: [role?.arn ?? roleArnGuess(ctx, input.RoleName)], conditionKeys };
    },
  };
}
