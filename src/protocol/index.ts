/**
 * Rolecall's wire codecs, driven by the AWS service models (botocore, Apache-2.0, see
 * models/PROVENANCE.json): awsQuery for IAM and STS, awsJson1.1 for CloudTrail, restJson1 for IAM
 * Access Analyzer. Pure: no I/O.
 * See docs/wire-protocol.md.
 */
export type { Decoded, ModeledErrorSpec, QueryParams, ServiceName, WireError, WireResponse } from './wire.js';
export { decodeJsonRequest, decodeQueryRequest, encodeError, encodeOutput } from './codec.js';
export { decodeRestJsonRequest, isRestJsonPath, routeRestJson, type RestJsonRoute } from './rest-json.js';
export { mergeParams, parseQueryString } from './query-params.js';
export { queryServiceForVersion, routeQuery, type QueryRoute } from './query-route.js';
export { routeJsonTarget, type JsonRoute } from './json-route.js';
export { readQueryInput } from './query-input.js';
export { readJsonInput } from './json-input.js';
export { encodeQueryError, encodeQueryOutput } from './query-output.js';
export { encodeJsonError, encodeJsonOutput } from './json-output.js';
export { validateInput } from './validate.js';
export { errorSpec, PROTOCOL_ERRORS, type ProtocolErrorCode } from './errors.js';
export { isServiceName, isUnsignedOperation, operationModel, SERVICES, type ServiceDescriptor } from './services.js';
export type { OperationHandlers, OperationInput, OperationName, OperationOutput, ServiceOperations } from './operations.js';
export { IAM_ERRORS, type IamErrorCode } from './generated/iam-errors.js';
export { STS_ERRORS, type StsErrorCode } from './generated/sts-errors.js';
export { CLOUDTRAIL_ERRORS, type CloudTrailErrorCode } from './generated/cloudtrail-errors.js';
export { ACCESSANALYZER_ERRORS, type AccessAnalyzerErrorCode } from './generated/accessanalyzer-errors.js';
export type * as Iam from './generated/iam-types.js';
export type * as Sts from './generated/sts-types.js';
export type * as CloudTrail from './generated/cloudtrail-types.js';
export type * as AccessAnalyzer from './generated/accessanalyzer-types.js';
