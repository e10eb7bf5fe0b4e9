/**
 * The subset of the botocore service-model format (`service-2.json`) that Rolecall's codecs read.
 * Shapes are referenced by name; members carry no `locationName`, `flattened` or `xmlAttribute`
 * in IAM, STS or CloudTrail; Access Analyzer (restJson1) places some members in the URI, the
 * query string or headers (`location`, `locationName`).
 */

export interface ShapeRef {
  shape: string;
  deprecated?: boolean;
  /** restJson1 (Access Analyzer): where the member travels instead of the JSON body. */
  location?: 'uri' | 'querystring' | 'header' | 'headers' | 'statusCode';
  locationName?: string;
}

interface ShapeBase {
  sensitive?: boolean;
  deprecated?: boolean;
}

export interface StructureShape extends ShapeBase {
  type: 'structure';
  members: Record<string, ShapeRef>;
  required?: string[];
  exception?: boolean;
  fault?: boolean;
  error?: { code?: string; httpStatusCode?: number; senderFault?: boolean };
}
export interface ListShape extends ShapeBase {
  type: 'list';
  member: ShapeRef;
  min?: number;
  max?: number;
}
export interface MapShape extends ShapeBase {
  type: 'map';
  key: ShapeRef;
  value: ShapeRef;
  min?: number;
  max?: number;
}
export interface StringShape extends ShapeBase {
  type: 'string';
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
}
export interface NumberShape extends ShapeBase {
  type: 'integer' | 'long' | 'double' | 'float';
  min?: number;
  max?: number;
  box?: boolean;
}
export interface ScalarShape extends ShapeBase {
  type: 'boolean' | 'timestamp' | 'blob';
  box?: boolean;
  min?: number;
  max?: number;
}
export type Shape = StructureShape | ListShape | MapShape | StringShape | NumberShape | ScalarShape;

export interface OperationModel {
  name: string;
  http?: { method: string; requestUri: string; responseCode?: number };
  input?: ShapeRef;
  output?: ShapeRef & { resultWrapper?: string };
  errors?: ShapeRef[];
  auth?: string[];
  authtype?: string;
  idempotent?: boolean;
}

export interface ServiceMetadata {
  apiVersion: string;
  endpointPrefix: string;
  protocol: 'query' | 'json' | string;
  serviceId: string;
  signatureVersion?: string;
  /** The service name of the SigV4 credential scope, when it is not `endpointPrefix`. */
  signingName?: string;
  xmlNamespace?: string;
  jsonVersion?: string;
  targetPrefix?: string;
  globalEndpoint?: string;
  auth?: string[];
}

export interface ServiceModel {
  _notice?: string;
  version?: string;
  metadata: ServiceMetadata;
  operations: Record<string, OperationModel>;
  shapes: Record<string, Shape>;
}

export interface PaginatorsModel {
  _notice?: string;
  pagination: Record<
    string,
    {
      input_token?: string | string[];
      output_token?: string | string[];
      more_results?: string;
      limit_key?: string;
      result_key?: string | string[];
    }
  >;
}
