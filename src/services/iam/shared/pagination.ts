/**
 * IAM list paging: `MaxItems` (1..1000, default 100) and an opaque `Marker`; responses carry
 * `IsTruncated` and, when truncated, `Marker`.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_ListRoles.html
 */
import { AwsError } from '../../../domain/aws-error.js';

export interface PageInput {
  Marker?: string;
  MaxItems?: number;
}

export interface Page<T> {
  items: T[];
  IsTruncated: boolean;
  Marker?: string;
}

/** Markers are base64url of the next index; opaque to clients as in AWS. */
export function paginate<T>(all: T[], input: PageInput): Page<T> {
  const max = input.MaxItems ?? 100;
  if (!Number.isInteger(max) || max < 1 || max > 1000) {
    throw new AwsError('ValidationError', `1 validation error detected: Value '${max}' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000`);
  }
  let start = 0;
  if (input.Marker !== undefined) {
    const n = Number.parseInt(Buffer.from(input.Marker, 'base64url').toString('utf8'), 10);
    if (!Number.isInteger(n) || n < 0 || n > all.length) throw new AwsError('InvalidInput', 'Invalid Marker.');
    start = n;
  }
  const items = all.slice(start, start + max);
  const truncated = start + max < all.length;
  const page: Page<T> = { items, IsTruncated: truncated };
  if (truncated) page.Marker = Buffer.from(String(start + max), 'utf8').toString('base64url');
  return page;
}

/** The paging members of a list output: `IsTruncated`, and `Marker` only when truncated. */
export function pageFields<T>(page: Page<T>): { IsTruncated: boolean; Marker?: string } {
  return page.Marker !== undefined ? { IsTruncated: page.IsTruncated, Marker: page.Marker } : { IsTruncated: page.IsTruncated };
}
