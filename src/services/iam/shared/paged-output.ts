/**
 * Builds a paged list output in the AWS shape: `{ <Member>: items, IsTruncated, Marker? }`.
 */
import { paginate, type PageInput } from './pagination.js';

export interface Paged {
  IsTruncated: boolean;
  Marker?: string;
}

export function pagedOutput<T, K extends string>(member: K, all: T[], input: PageInput): Record<K, T[]> & Paged {
  const p = paginate(all, input);
  const out = { [member]: p.items, IsTruncated: p.IsTruncated } as Record<K, T[]> & Paged;
  if (p.Marker !== undefined) out.Marker = p.Marker;
  return out;
}
