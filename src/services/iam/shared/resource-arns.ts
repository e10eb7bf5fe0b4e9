/**
 * The resource ARNs IAM actions are authorized against (Service Authorization Reference, IAM:
 * user, group, instance-profile, mfa, oidc-provider, saml-provider, role resource types), computed before the operation runs.
 *
 * `Operation.resources()` is synchronous, so an existing entity's path cannot be read from the
 * store there. These helpers use the path when it is known without I/O (the request names it,
 * or the target is the calling user, whose ARN the caller carries) and `/` otherwise.
 * LIMITATION: a user/group/instance profile created with a non-root path is authorized as if
 * its path were `/` by operations that only name it; see the family notes in the report.
 */
import { iamArn, type IamEntityType } from '../../../domain/arns.js';
import type { OperationContext } from '../../operation.js';
import { normalizeOidcUrl, oidcProviderArn } from './oidc.js';
import { samlProviderArn } from './saml.js';

function account(ctx: OperationContext): string {
  return ctx.caller?.accountId ?? '*';
}

function byName(ctx: OperationContext, type: IamEntityType, name: string, path = '/'): string {
  return iamArn(account(ctx), type, path, name);
}

/** The user ARN; when the target is the calling user itself, its real ARN (with path). */
export function userResource(ctx: OperationContext, name: string | undefined, path?: string): string {
  const c = ctx.caller;
  if (name === undefined) {
    if (c?.kind === 'user') return c.arn;
    if (c?.kind === 'root') return c.arn;
    return '*';
  }
  if (path === undefined && c?.kind === 'user' && c.userName?.toLowerCase() === name.toLowerCase()) return c.arn;
  return byName(ctx, 'user', name, path);
}

export function groupResource(ctx: OperationContext, name: string, path?: string): string {
  return byName(ctx, 'group', name, path);
}

export function roleResource(ctx: OperationContext, name: string, path?: string): string {
  return byName(ctx, 'role', name, path);
}

export function instanceProfileResource(ctx: OperationContext, name: string, path?: string): string {
  return byName(ctx, 'instance-profile', name, path);
}

export function mfaResource(ctx: OperationContext, name: string, path?: string): string {
  return byName(ctx, 'mfa', name, path);
}

/**
 * An OIDC provider's ARN from its issuer url as a request gives it (`https://…`): the stored form
 * when the url is valid, otherwise the url without its scheme (the request fails in `run`).
 */
export function oidcProviderResource(ctx: OperationContext, url: unknown): string {
  const raw = typeof url === 'string' ? url : '';
  return oidcProviderArn(account(ctx), normalizeOidcUrl(raw) ?? raw.replace(/^https:\/\//i, ''));
}

/** A SAML provider's ARN from the name a request gives (CreateSAMLProvider's `Name`). */
export function samlProviderResource(ctx: OperationContext, name: unknown): string {
  return samlProviderArn(account(ctx), typeof name === 'string' ? name : '');
}
