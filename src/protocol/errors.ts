/**
 * Errors the codecs themselves produce (before any operation runs), with AWS's wording, and the
 * lookup of status/Type for any code. Wording sources: a probe of live STS
 * (InvalidAction, ValidationError, MalformedInput; see docs/wire-protocol.md) and AWS's
 * "Common Errors" list (MissingAction).
 */
import type { ServiceDescriptor } from './services.js';
import type { ModeledErrorSpec, WireError } from './wire.js';

/** Codes the codecs emit that no service model declares. */
export const PROTOCOL_ERRORS = {
  /** awsQuery: Action unknown for Version (or Version missing/unknown). */
  InvalidAction: { status: 400, sender: true },
  /** awsQuery: no Action parameter at all (AWS STS answers a 302 to aws.amazon.com instead). */
  MissingAction: { status: 400, sender: true },
  /** awsQuery: constraint violations (required, length, pattern, enum, range). */
  ValidationError: { status: 400, sender: true },
  /** awsQuery: a value that does not parse as its type (DurationSeconds=abc). */
  MalformedInput: { status: 400, sender: true },
  /** awsJson: X-Amz-Target missing or naming no operation. */
  UnknownOperationException: { status: 400, sender: true },
  /** awsJson: constraint violations. */
  ValidationException: { status: 400, sender: true },
  /** awsJson: body is not JSON, or a member has the wrong JSON type. */
  SerializationException: { status: 400, sender: true },
} as const satisfies Record<string, ModeledErrorSpec>;
export type ProtocolErrorCode = keyof typeof PROTOCOL_ERRORS;

/** Status and Sender/Receiver for a code: the service's model first, then the codec's own codes. */
export function errorSpec(svc: ServiceDescriptor | undefined, code: string): ModeledErrorSpec {
  if (svc && Object.hasOwn(svc.errors, code)) return svc.errors[code] as ModeledErrorSpec;
  if (Object.hasOwn(PROTOCOL_ERRORS, code)) return PROTOCOL_ERRORS[code as ProtocolErrorCode];
  return { status: 400, sender: true };
}

/**
 * InvalidAction is answered by AWS's front end, not the service: its `ErrorResponse` carries the
 * generic AWSFault namespace rather than the service's (observed on live STS).
 */
export const AWS_FAULT_NAMESPACE = 'http://webservices.amazon.com/AWSFault/2005-15-09';
export const FRONT_END_CODES: ReadonlySet<string> = new Set(['InvalidAction', 'MissingAction']);

export function invalidAction(action: string, version: string | undefined): WireError {
  // Live STS: "Could not find operation NoSuchAction for version 2011-06-15"; no Version at
  // all reads NO_VERSION_SPECIFIED, an empty one leaves the text empty.
  return { code: 'InvalidAction', message: `Could not find operation ${action} for version ${version ?? 'NO_VERSION_SPECIFIED'}` };
}

export function missingAction(): WireError {
  return { code: 'MissingAction', message: 'The request is missing an action or a required parameter.' };
}

/** `1 validation error detected: …` / `N validation errors detected: a; b`. */
export function validationError(code: 'ValidationError' | 'ValidationException', messages: readonly string[]): WireError {
  const n = messages.length;
  return { code, message: `${n} validation error${n === 1 ? '' : 's'} detected: ${messages.join('; ')}` };
}

export function malformedInput(message?: string): WireError {
  return { code: 'MalformedInput', message };
}

export function unknownOperation(): WireError {
  // Live CloudWatch Logs (awsJson1.1) answers `{"__type":"UnknownOperationException"}`, 400, no message.
  return { code: 'UnknownOperationException' };
}

export function serializationError(message: string): WireError {
  return { code: 'SerializationException', message };
}
