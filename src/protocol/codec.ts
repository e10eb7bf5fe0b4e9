/**
 * What the gateway calls: decode a request into (service, operation, validated input) or the
 * error to answer with; encode an operation's output or an error in the service's protocol.
 *
 *   awsQuery (IAM, STS):  decodeQueryRequest(parseQueryString(body), scopeService)
 *   awsJson1.1 (CloudTrail): decodeJsonRequest(headers['x-amz-target'], body)
 *   restJson1 (Access Analyzer): decodeRestJsonRequest(method, path, query, body, header) (rest-json.ts)
 *   either:               encodeOutput(service, operation, output, requestId)
 *                         encodeError(service, error, requestId)
 */
import { readJsonInput } from './json-input.js';
import { encodeJsonError, encodeJsonOutput } from './json-output.js';
import { routeJsonTarget } from './json-route.js';
import { readQueryInput } from './query-input.js';
import { encodeQueryError, encodeQueryOutput } from './query-output.js';
import { routeQuery } from './query-route.js';
import { encodeRestJsonError, encodeRestJsonOutput } from './rest-json.js';
import { operationModel, SERVICES } from './services.js';
import type { Decoded, QueryParams, ServiceName, WireError, WireResponse } from './wire.js';

/**
 * @param params the request's parameters (form body for POST, query string for GET)
 * @param signingService the SigV4 credential-scope service when the request is signed
 */
export function decodeQueryRequest(params: QueryParams, signingService?: string): Decoded {
  const route = routeQuery(params, signingService);
  if (!route.ok) return { ok: false, service: route.service?.name, error: route.error };
  const { service, operation } = route;
  const result = readQueryInput(service, operationModel(service, operation)?.input?.shape, params);
  if (!result.ok) return { ok: false, service: service.name, operation, error: result.error };
  return { ok: true, service: service.name, operation, input: result.input };
}

/** @param target the `X-Amz-Target` header; @param body the request body as text */
export function decodeJsonRequest(target: string | undefined, body: string): Decoded {
  const route = routeJsonTarget(target);
  if (!route.ok) return { ok: false, service: route.service?.name, error: route.error };
  const { service, operation } = route;
  const result = readJsonInput(service, operationModel(service, operation)?.input?.shape, body);
  if (!result.ok) return { ok: false, service: service.name, operation, error: result.error };
  return { ok: true, service: service.name, operation, input: result.input };
}

/** The success response for an operation's output, in the service's protocol. */
export function encodeOutput(service: ServiceName, operation: string, output: unknown, requestId: string): WireResponse {
  const svc = SERVICES[service];
  if (svc.protocol === 'rest-json') return encodeRestJsonOutput(svc, operation, output, requestId);
  return svc.protocol === 'json' ? encodeJsonOutput(svc, operation, output, requestId) : encodeQueryOutput(svc, operation, output, requestId);
}

/**
 * The error response, in the service's protocol. `service` undefined (an awsQuery request whose
 * service could not be told) renders awsQuery XML in the AWSFault namespace.
 */
export function encodeError(service: ServiceName | undefined, error: WireError, requestId: string): WireResponse {
  const svc = service ? SERVICES[service] : undefined;
  if (svc?.protocol === 'rest-json') return encodeRestJsonError(svc, error, requestId);
  return svc?.protocol === 'json' ? encodeJsonError(svc, error, requestId) : encodeQueryError(svc, error, requestId);
}
