/**
 * The one error type operations throw. The wire layer renders it as AWS does (query XML or JSON),
 * with the HTTP status and Sender/Receiver type from this registry. The protocol layer's tables
 * generated from the service models must agree with it (a test checks every code we emit).
 */
export interface AwsErrorSpec {
  status: number;
  sender: boolean;
}

/** The AWS error codes Rolecall emits (wire `<Code>` verbatim), with HTTP status and fault side. */
export const AWS_ERRORS = {
  // IAM (model error shapes)
  NoSuchEntity: { status: 404, sender: true },
  EntityAlreadyExists: { status: 409, sender: true },
  DeleteConflict: { status: 409, sender: true },
  LimitExceeded: { status: 409, sender: true },
  MalformedPolicyDocument: { status: 400, sender: true },
  InvalidInput: { status: 400, sender: true },
  UnmodifiableEntity: { status: 400, sender: true },
  ConcurrentModification: { status: 409, sender: true },
  PolicyNotAttachable: { status: 400, sender: true },
  InvalidAuthenticationCode: { status: 403, sender: true },
  EntityTemporarilyUnmodifiable: { status: 409, sender: true },
  PolicyEvaluation: { status: 500, sender: false },
  ServiceFailure: { status: 500, sender: false },
  // STS (model error shapes)
  PackedPolicyTooLarge: { status: 400, sender: true },
  RegionDisabledException: { status: 403, sender: true },
  ExpiredTokenException: { status: 400, sender: true },
  IDPRejectedClaim: { status: 403, sender: true },
  IDPCommunicationError: { status: 400, sender: true },
  InvalidIdentityToken: { status: 400, sender: true },
  InvalidAuthorizationMessageException: { status: 400, sender: true },
  // CloudTrail (model error shapes; awsJson1.1, so the wire code is the shape name)
  AccessDeniedException: { status: 400, sender: true },
  InvalidLookupAttributesException: { status: 400, sender: true },
  InvalidTimeRangeException: { status: 400, sender: true },
  InvalidMaxResultsException: { status: 400, sender: true },
  InvalidNextTokenException: { status: 400, sender: true },
  InvalidEventCategoryException: { status: 400, sender: true },
  // Common errors (https://docs.aws.amazon.com/STS/latest/APIReference/CommonErrors.html)
  AccessDenied: { status: 403, sender: true },
  ValidationError: { status: 400, sender: true },
  MissingParameter: { status: 400, sender: true },
  InvalidParameterValue: { status: 400, sender: true },
  InvalidParameterCombination: { status: 400, sender: true },
  InvalidAction: { status: 400, sender: true },
  InvalidClientTokenId: { status: 403, sender: true },
  SignatureDoesNotMatch: { status: 403, sender: true },
  IncompleteSignature: { status: 400, sender: true },
  MissingAuthenticationToken: { status: 403, sender: true },
  RequestExpired: { status: 400, sender: true },
  ExpiredToken: { status: 403, sender: true },
  InvalidQueryParameter: { status: 400, sender: true },
  MalformedQueryString: { status: 404, sender: true },
  NotImplemented: { status: 501, sender: false },
  Throttling: { status: 400, sender: true },
  ServiceUnavailable: { status: 503, sender: false },
  InternalFailure: { status: 500, sender: false },
} as const satisfies Record<string, AwsErrorSpec>;

export type AwsErrorCode = keyof typeof AWS_ERRORS;

export class AwsError extends Error {
  readonly status: number;
  readonly sender: boolean;
  constructor(
    readonly code: AwsErrorCode,
    message: string,
  ) {
    super(message);
    this.name = code;
    this.status = AWS_ERRORS[code].status;
    this.sender = AWS_ERRORS[code].sender;
  }
}

/** `NoSuchEntity` with IAM's wording: "The role with name X cannot be found." */
export function noSuchEntity(kind: string, name: string): AwsError {
  return new AwsError('NoSuchEntity', `The ${kind} with name ${name} cannot be found.`);
}
