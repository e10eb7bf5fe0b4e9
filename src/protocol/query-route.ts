/**
 * Which awsQuery service and operation a request names. IAM and STS share the path `/`, so the
 * service comes from the SigV4 credential scope when the request is signed, else from `Version`
 * (2010-05-08 IAM, 2011-06-15 STS): unsigned STS calls (AssumeRoleWithWebIdentity/SAML) carry
 * no scope. The request must name an operation of that service at that service's version, else
 * AWS answers InvalidAction "Could not find operation X for version Y".
 */
import { invalidAction, missingAction } from './errors.js';
import { operationModel, SERVICES, type ServiceDescriptor } from './services.js';
import type { QueryParams, ServiceName, WireError } from './wire.js';

export type QueryRoute =
  | { ok: true; service: ServiceDescriptor; operation: string }
  | { ok: false; service: ServiceDescriptor | undefined; error: WireError };

const QUERY_SERVICES = [SERVICES.iam, SERVICES.sts];

/** The query service whose API version is `version`, if any. */
export function queryServiceForVersion(version: string | undefined): ServiceDescriptor | undefined {
  return QUERY_SERVICES.find((s) => s.apiVersion === version);
}

/**
 * @param signingService the service of the SigV4 credential scope (`iam`, `sts`), when signed.
 */
export function routeQuery(params: QueryParams, signingService?: ServiceName | string): QueryRoute {
  const action = params.get('Action');
  const version = params.get('Version');
  const bySignature = QUERY_SERVICES.find((s) => s.name === signingService);
  const service = bySignature ?? queryServiceForVersion(version);
  if (action === undefined) return { ok: false, service, error: missingAction() };
  if (!service || service.apiVersion !== version || !operationModel(service, action)) {
    return { ok: false, service, error: invalidAction(action, version) };
  }
  return { ok: true, service, operation: action };
}
