/**
 * Semantic input checks the operations make themselves. The protocol layer validates every
 * member against the service model (lengths, patterns, enums) before an operation runs; these
 * checks cover what the model cannot say and keep direct callers (tests, the CLI) honest.
 */
import { isValidPath } from '../../../domain/arns.js';
import { AwsError } from '../../../domain/aws-error.js';

const NAME_RE = /^[\w+=,.@-]+$/;

/** `1 validation error detected: Value 'x' at 'path' failed to satisfy constraint: ...` */
export function validationError(value: string, member: string, constraint: string): AwsError {
  return new AwsError('ValidationError', `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${constraint}`);
}

export function checkPath(path: string | undefined, member = 'path'): string {
  const p = path ?? '/';
  if (!isValidPath(p)) throw validationError(p, member, 'Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)');
  return p;
}

export function checkName(name: string | undefined, member: string, max: number): string {
  if (name === undefined || name === '') throw new AwsError('ValidationError', `1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  if (name.length > max) throw validationError(name, member, `Member must have length less than or equal to ${max}`);
  if (!NAME_RE.test(name)) throw validationError(name, member, 'Member must satisfy regular expression pattern: [\\w+=,.@-]+');
  return name;
}
