/**
 * The services as the codecs see them: model, protocol, namespace, error table. Built once
 * from the generated data modules (no fs: the models are compiled into the program).
 */
import { ACCESSANALYZER_ERRORS } from './generated/accessanalyzer-errors.js';
import { CLOUDTRAIL_ERRORS } from './generated/cloudtrail-errors.js';
import { IAM_ERRORS } from './generated/iam-errors.js';
import { STS_ERRORS } from './generated/sts-errors.js';
import type { OperationModel, ServiceModel, Shape } from './model-types.js';
import { ACCESSANALYZER_MODEL } from './models/accessanalyzer.js';
import { CLOUDTRAIL_MODEL } from './models/cloudtrail.js';
import { IAM_MODEL } from './models/iam.js';
import { STS_MODEL } from './models/sts.js';
import type { ModeledErrorSpec, ServiceName } from './wire.js';

export interface ServiceDescriptor {
  readonly name: ServiceName;
  readonly model: ServiceModel;
  readonly protocol: 'query' | 'json' | 'rest-json';
  readonly apiVersion: string;
  /** The service its requests' SigV4 credential scope must name (`iam`, `sts`, `cloudtrail`, `access-analyzer`). */
  readonly signingName: string;
  /** awsQuery: the xmlns of every response and error document. */
  readonly xmlNamespace: string;
  /** awsJson: the X-Amz-Target prefixes accepted (botocore's and the JS SDK's). */
  readonly targetPrefixes: readonly string[];
  readonly errors: Readonly<Record<string, ModeledErrorSpec>>;
  /**
   * Shapes whose string values IAM sends URL-encoded in responses: `policyDocumentType`
   * (AssumeRolePolicyDocument, PolicyDocument, PolicyVersion.Document). boto3 decodes them
   * (botocore/handlers.py json_decode_policies), the JS SDK hands callers the encoded text.
   */
  readonly urlEncodedShapes: ReadonlySet<string>;
}

function describe(name: ServiceName, model: ServiceModel, errors: Record<string, ModeledErrorSpec>, urlEncoded: string[] = []): ServiceDescriptor {
  const md = model.metadata;
  const protocol = md.protocol === 'json' ? 'json' : md.protocol === 'rest-json' ? 'rest-json' : 'query';
  const targetPrefixes: string[] = [];
  if (md.targetPrefix) {
    targetPrefixes.push(md.targetPrefix);
    // The JS SDK sends only the last segment (`CloudTrail_20131101`), botocore the whole prefix.
    const short = md.targetPrefix.slice(md.targetPrefix.lastIndexOf('.') + 1);
    if (short !== md.targetPrefix) targetPrefixes.push(short);
  }
  return Object.freeze({
    name,
    model,
    protocol,
    apiVersion: md.apiVersion,
    signingName: md.signingName ?? md.endpointPrefix,
    xmlNamespace: md.xmlNamespace ?? '',
    targetPrefixes,
    errors,
    urlEncodedShapes: new Set(urlEncoded),
  });
}

export const SERVICES: Readonly<Record<ServiceName, ServiceDescriptor>> = Object.freeze({
  iam: describe('iam', IAM_MODEL, IAM_ERRORS, ['policyDocumentType']),
  sts: describe('sts', STS_MODEL, STS_ERRORS),
  cloudtrail: describe('cloudtrail', CLOUDTRAIL_MODEL, CLOUDTRAIL_ERRORS),
  accessanalyzer: describe('accessanalyzer', ACCESSANALYZER_MODEL, ACCESSANALYZER_ERRORS),
});

export function isServiceName(name: string | undefined): name is ServiceName {
  return name === 'iam' || name === 'sts' || name === 'cloudtrail' || name === 'accessanalyzer';
}

/** The operation's model, or undefined. Own keys only: `Action=constructor` is not an operation. */
export function operationModel(svc: ServiceDescriptor, name: string): OperationModel | undefined {
  return Object.hasOwn(svc.model.operations, name) ? svc.model.operations[name] : undefined;
}

export function shapeOf(svc: ServiceDescriptor, name: string): Shape {
  const s = Object.hasOwn(svc.model.shapes, name) ? svc.model.shapes[name] : undefined;
  if (!s) throw new Error(`${svc.name}: no shape ${name} in the model`);
  return s;
}

/** True for operations the SDKs send unsigned (STS AssumeRoleWithSAML, AssumeRoleWithWebIdentity). */
export function isUnsignedOperation(svc: ServiceDescriptor, operation: string): boolean {
  const op = operationModel(svc, operation);
  return !!op && (op.authtype === 'none' || (op.auth ?? []).includes('smithy.api#noAuth'));
}
