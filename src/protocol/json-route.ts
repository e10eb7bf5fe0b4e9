/**
 * awsJson1.1 routing by `X-Amz-Target: <prefix>.<Operation>`. botocore and the AWS CLI send the
 * model's whole `targetPrefix` (`com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101`), the JS
 * SDK only its last segment (`CloudTrail_20131101`): both are accepted, nothing else is.
 */
import { unknownOperation } from './errors.js';
import { operationModel, SERVICES, type ServiceDescriptor } from './services.js';
import type { WireError } from './wire.js';

export type JsonRoute = { ok: true; service: ServiceDescriptor; operation: string } | { ok: false; service: ServiceDescriptor | undefined; error: WireError };

const JSON_SERVICES = [SERVICES.cloudtrail];

export function routeJsonTarget(target: string | undefined): JsonRoute {
  const t = target?.trim();
  const dot = t ? t.lastIndexOf('.') : -1;
  if (!t || dot <= 0) return { ok: false, service: JSON_SERVICES.length === 1 ? JSON_SERVICES[0] : undefined, error: unknownOperation() };
  const prefix = t.slice(0, dot);
  const operation = t.slice(dot + 1);
  const service = JSON_SERVICES.find((s) => s.targetPrefixes.includes(prefix));
  if (!service || !operationModel(service, operation)) {
    return { ok: false, service: service ?? (JSON_SERVICES.length === 1 ? JSON_SERVICES[0] : undefined), error: unknownOperation() };
  }
  return { ok: true, service, operation };
}
