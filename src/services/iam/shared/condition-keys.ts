/**
 * Request condition keys shared by the IAM operation families.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html
 */
import type { ContextValue } from '../../../policy/index.js';

/** `aws:TagKeys` for operations that remove tags (Untag*). */
export function tagKeysKey(keys: string[] | undefined): Record<string, ContextValue> {
  return keys && keys.length > 0 ? { 'aws:TagKeys': keys } : {};
}

/** `iam:PermissionsBoundary` when the request sets a boundary. */
export function boundaryKey(arn: string | undefined): Record<string, ContextValue> {
  return arn ? { 'iam:PermissionsBoundary': arn } : {};
}

/** `iam:PolicyARN` for attach/detach. */
export function policyArnKey(arn: string | undefined): Record<string, ContextValue> {
  return arn ? { 'iam:PolicyARN': arn } : {};
}
