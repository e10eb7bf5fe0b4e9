/**
 * Errors of the simulated EC2, ECS and Lambda control planes. They are not IAM/STS errors (the
 * AWS_ERRORS registry is checked against the IAM and STS models), so they carry their own code
 * and HTTP status, taken from each service's API reference:
 * - EC2: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/errors-overview.html
 * - ECS: https://docs.aws.amazon.com/AmazonECS/latest/APIReference/CommonErrors.html
 * - Lambda: https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html#API_CreateFunction_Errors
 */
export class WorkloadError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'WorkloadError';
  }
}

export const ec2Errors = {
  unauthorized: (message: string) => new WorkloadError('UnauthorizedOperation', 403, `You are not authorized to perform this operation. ${message}`),
  invalidParameter: (message: string) => new WorkloadError('InvalidParameterValue', 400, message),
  missingParameter: (name: string) => new WorkloadError('MissingParameter', 400, `The request must contain the parameter ${name}`),
  instanceNotFound: (id: string) => new WorkloadError('InvalidInstanceID.NotFound', 400, `The instance ID '${id}' does not exist`),
  instanceMalformed: (id: string) => new WorkloadError('InvalidInstanceID.Malformed', 400, `Invalid id: "${id}"`),
  incorrectState: (id: string, state: string) => new WorkloadError('IncorrectInstanceState', 400, `The instance '${id}' is not in a state from which it can be modified (${state}).`),
};

export const ecsErrors = {
  accessDenied: (message: string) => new WorkloadError('AccessDeniedException', 400, message),
  client: (message: string) => new WorkloadError('ClientException', 400, message),
  invalidParameter: (message: string) => new WorkloadError('InvalidParameterException', 400, message),
};

export const lambdaErrors = {
  accessDenied: (message: string) => new WorkloadError('AccessDeniedException', 403, message),
  invalidParameter: (message: string) => new WorkloadError('InvalidParameterValueException', 400, message),
};
