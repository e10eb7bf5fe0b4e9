/**
 * The one error type operations throw. The wire layer renders it as AWS does (query XML or JSON).
 * `sender` errors are the client's fault (Type Sender), others the service's (Type Receiver).
 */
export interface AwsErrorSpec {
  status: number;
  sender: boolean;
}

/** Registry of the AWS error codes Rolecall emits, with their HTTP status. */
export const AWS_ERRORS = {
  InvalidInput: { status: 400, sender: true },
  MalformedPolicyDocument: { status: 400, sender: true },
  LimitExceeded: { status: 409, sender: true },
  NoSuchEntity: { status: 404, sender: true },
  PolicyEvaluation: { status: 500, sender: false },
  ValidationError: { status: 400, sender: true },
  MissingParameter: { status: 400, sender: true },
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
