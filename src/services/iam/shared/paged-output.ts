/**
 * Builds a paged list output in the AWS shape: `{ <Member>: items, IsTruncated, Marker? }`.
 */
import { pageFields, paginate, type PageInput } from './pagination.js';

export interface Paged {
  IsTruncated: boolean;
  Marker?: string;
}

export function pagedOutput<T, K extends string>(member: K, all: T[], input: PageInput): Record<K, T[]> & Paged {
  const p = paginate(all, input);
  return { [member]: p.items, ...pageFields(p) } as Record<K, T[]> & Paged;
}
