/**
 * cloudtrail:LookupEvents over the audit trail, so `aws cloudtrail lookup-events` and the SDKs'
 * CloudTrail clients read Rolecall's records.
 * https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_LookupEvents.html
 *
 * - The caller's account's events only, newest first.
 * - At most one lookup attribute ("Currently the list can contain only one item"): EventId,
 *   EventName, ReadOnly (`true`/`false`), Username, ResourceType, ResourceName, EventSource,
 *   AccessKeyId; values match exactly.
 * - StartTime / EndTime are inclusive and compare with eventTime, which has whole seconds;
 *   a start after the end is InvalidTimeRangeException.
 * - MaxResults 1..50, default 50; NextToken continues the same query (a token used with other
 *   parameters, or altered, is InvalidNextTokenException).
 * - EventCategory `insight` asks for CloudTrail Insights events: Rolecall has none.
 * - Authorized as `cloudtrail:LookupEvents` on `*`; a denial is AccessDeniedException, the
 *   JSON services' code.
 * Not region-filtered: one Rolecall server is one event history.
 */
import { createHash } from 'node:crypto';
import { AwsError } from '../../domain/aws-error.js';
import type { AuditCursor, AuditLookupKey, AuditQuery } from '../../store/ports.js';
import { defineOperation } from '../operation.js';

export interface LookupEventsInput {
  LookupAttributes?: Array<{ AttributeKey: AuditLookupKey; AttributeValue: string }>;
  StartTime?: Date;
  EndTime?: Date;
  EventCategory?: 'insight';
  MaxResults?: number;
  NextToken?: string;
}

export interface LookupEventsEvent {
  EventId: string;
  EventName: string;
  ReadOnly: string;
  AccessKeyId?: string;
  EventTime: Date;
  EventSource: string;
  Username?: string;
  Resources: Array<{ ResourceType: string; ResourceName: string }>;
  CloudTrailEvent: string;
}

export interface LookupEventsOutput {
  Events: LookupEventsEvent[];
  NextToken?: string;
}

const DEFAULT_MAX_RESULTS = 50;

/** Whole seconds, rounded down / up. */
const floorSecond = (d: Date) => new Date(Math.floor(d.getTime() / 1000) * 1000);
const ceilSecond = (d: Date) => new Date(Math.ceil(d.getTime() / 1000) * 1000);

/** Ties a token to the query it continues. */
function fingerprint(accountId: string, i: LookupEventsInput): string {
  const a = i.LookupAttributes?.[0];
  const parts = [accountId, a?.AttributeKey ?? '', a?.AttributeValue ?? '', i.StartTime?.getTime() ?? '', i.EndTime?.getTime() ?? '', i.EventCategory ?? ''];
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 22);
}

function encodeToken(cursor: AuditCursor, fp: string): string {
  return Buffer.from(JSON.stringify({ t: cursor.eventTime.toISOString(), i: cursor.eventId, q: fp }), 'utf8').toString('base64url');
}

function decodeToken(token: string, fp: string): AuditCursor {
  const invalid = () => new AwsError('InvalidNextTokenException', 'A token that is not valid, or a token that was previously used in a request with different parameters.');
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const o = v as { t?: unknown; i?: unknown; q?: unknown } | null;
  if (!o || typeof o.t !== 'string' || typeof o.i !== 'string' || o.q !== fp) throw invalid();
  const eventTime = new Date(o.t);
  if (Number.isNaN(eventTime.getTime()) || eventTime.toISOString() !== o.t) throw invalid();
  return { eventTime, eventId: o.i };
}

export const lookupEvents = defineOperation<LookupEventsInput, LookupEventsOutput>({
  service: 'cloudtrail',
  name: 'LookupEvents',
  // Authorized in run(): a denial answers AccessDeniedException, as CloudTrail's JSON API does.
  auth: 'signed-unauthorized',
  resources: () => ['*'],
  async run(i, ctx) {
    const caller = ctx.caller;
    if (!caller || !ctx.authorizer) throw new AwsError('InternalFailure', 'LookupEvents is not wired');
    try {
      await ctx.authorizer.authorize({ caller, action: 'cloudtrail:LookupEvents', resources: ['*'], context: ctx.requestContext ?? {} });
    } catch (e) {
      // LookupEvents has no resource type: AWS's message names no resource ("... is not authorized
      // to perform: cloudtrail:LookupEvents with an explicit deny in a service control policy").
      if (e instanceof AwsError && e.code === 'AccessDenied') throw new AwsError('AccessDeniedException', e.message.replace(' on resource: *', ''));
      throw e;
    }
    const attrs = i.LookupAttributes ?? [];
    if (attrs.length > 1) throw new AwsError('InvalidLookupAttributesException', 'You can only specify one lookup attribute.');
    if (i.StartTime && i.EndTime && i.StartTime.getTime() > i.EndTime.getTime()) {
      throw new AwsError('InvalidTimeRangeException', 'Start time must occur before end time.');
    }
    const max = i.MaxResults ?? DEFAULT_MAX_RESULTS;
    if (!Number.isInteger(max) || max < 1 || max > 50) throw new AwsError('InvalidMaxResultsException', `A max results value of ${max} is invalid. Specify max results between 1 and 50.`);
    const fp = fingerprint(caller.accountId, i);
    const after = i.NextToken !== undefined ? decodeToken(i.NextToken, fp) : undefined;
    if (i.EventCategory === 'insight') return { Events: [] };

    const q: AuditQuery = { accountId: caller.accountId, limit: max + 1, order: 'newest-first' };
    const a = attrs[0];
    if (a) q.attribute = { key: a.AttributeKey, value: a.AttributeValue };
    if (i.StartTime) q.from = ceilSecond(i.StartTime);
    if (i.EndTime) q.before = new Date(floorSecond(i.EndTime).getTime() + 1000);
    if (after) q.after = after;
    const rows = await ctx.store.audit.lookup(q);
    const page = rows.slice(0, max);
    const Events = page.map((r) => {
      const e: LookupEventsEvent = {
        EventId: r.eventId,
        EventName: r.eventName,
        ReadOnly: r.readOnly ? 'true' : 'false',
        EventTime: floorSecond(r.eventTime),
        EventSource: r.eventSource,
        Resources: r.resources.map((x) => ({ ResourceType: x.type, ResourceName: x.name })),
        CloudTrailEvent: r.json,
      } as LookupEventsEvent;
      if (r.accessKeyId !== undefined) e.AccessKeyId = r.accessKeyId;
      if (r.username !== undefined) e.Username = r.username;
      return e;
    });
    const out: LookupEventsOutput = { Events };
    const last = page[page.length - 1];
    if (rows.length > max && last) out.NextToken = encodeToken({ eventTime: last.eventTime, eventId: last.eventId }, fp);
    return out;
  },
});
