/**
 * Non-AWS HTTP surfaces served beside the AWS APIs on the same listener (container credentials,
 * the authorize API, ...). The composition root asks each endpoint in order; the first that
 * claims a request answers it, and everything else goes to the AWS gateway.
 */
import type { HttpRequest, HttpResponse } from '../http/server.js';

export interface Endpoint {
  /** For logs and tests. */
  name: string;
  /** Cheap check on method/path/headers only: never reads the store. */
  matches(req: HttpRequest): boolean;
  handle(req: HttpRequest): Promise<HttpResponse>;
}

/** One handler: the first endpoint that matches, else the fallback (the AWS gateway). */
export function routeEndpoints(endpoints: readonly Endpoint[], fallback: (req: HttpRequest) => Promise<HttpResponse>): (req: HttpRequest) => Promise<HttpResponse> {
  if (endpoints.length === 0) return fallback;
  return (req) => {
    for (const e of endpoints) if (e.matches(req)) return e.handle(req);
    return fallback(req);
  };
}
