/**
 * JSON in and out for the decision point's endpoints: answers carry `x-amzn-RequestId` (as AWS's
 * JSON services do) and errors are `{requestId, error: {code, message, status}}` with AWS's code
 * and HTTP status.
 */
import { AwsError } from '../../domain/aws-error.js';
import type { HttpRequest, HttpResponse } from '../../http/server.js';
import type { AwsErrorJson, ErrorAnswer } from '../../client/authorize/types.js';

export function jsonResponse(status: number, body: unknown, requestId: string): HttpResponse {
  return { status, headers: { 'content-type': 'application/json', 'x-amzn-requestid': requestId }, body: JSON.stringify(body) };
}

export function errorJson(e: { code: string; message: string; status: number }): AwsErrorJson {
  return { code: e.code, message: e.message, status: e.status };
}

export function errorResponse(e: AwsError, requestId: string): HttpResponse {
  const body: ErrorAnswer = { requestId, error: errorJson(e) };
  const r = jsonResponse(e.status, body, requestId);
  r.headers['x-amzn-errortype'] = e.code;
  return r;
}

export const validation = (message: string): AwsError => new AwsError('ValidationError', message);

export function header(req: { headers: ReadonlyArray<readonly [string, string]> }, name: string): string | undefined {
  for (const [k, v] of req.headers) if (k.toLowerCase() === name) return v;
  return undefined;
}

/**
 * The request body as a JSON object, or a ValidationError. The Content-Type is not checked (a
 * `curl -d` sends a form type): the body must be JSON whatever it says.
 */
export function readJsonObject(req: HttpRequest): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(req.body.toString('utf8'));
  } catch {
    throw validation('The request body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw validation('The request body must be a JSON object.');
  return parsed as Record<string, unknown>;
}

export function optionalString(o: Record<string, unknown>, key: string, where: string): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw validation(`${where}${key} must be a string.`);
  return v;
}

export function requiredString(o: Record<string, unknown>, key: string, where: string): string {
  const v = optionalString(o, key, where);
  if (v === undefined || v === '') throw validation(`${where}${key} is required.`);
  return v;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
