/**
 * Lambda-style execution roles: the function's code runs with the execution role's session
 * credentials in AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, obtained by
 * lambda.amazonaws.com assuming the role with the function name as session name.
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-intro-execution-role.html
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 *
 * Giving a function its role is authorized as lambda:CreateFunction on the function plus
 * iam:PassRole with iam:PassedToService=lambda.amazonaws.com (where AWS checks it); a role the
 * service cannot assume is refused with Lambda's InvalidParameterValueException.
 */
import { AwsError } from '../../domain/aws-error.js';
import { assumeRoleAsService, LAMBDA_SERVICE } from '../sts/service-assume-role.js';
import { ROLE_ARN_RE } from '../sts/role-trust.js';
import { authorizeAction, authorizePassRole, roleArnOf, type LaunchRequest, type WorkloadDeps } from './launch.js';
import { lambdaErrors } from './workload-error.js';
import { isoSeconds } from '../../domain/clock.js';

export const DEFAULT_FUNCTION_NAME = 'rolecall-exec';
const FUNCTION_NAME_RE = /^[a-zA-Z0-9-_]{1,64}$/;
const MAX_SECONDS = 12 * 3600;

export interface FunctionCredentialsInput {
  Role?: string;
  FunctionName?: string;
  DurationSeconds?: number;
}

export interface FunctionCredentialsOutput {
  FunctionName: string;
  FunctionArn: string;
  Role: string;
  Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: string };
}


export async function functionCredentials(deps: WorkloadDeps, req: LaunchRequest, input: FunctionCredentialsInput): Promise<FunctionCredentialsOutput> {
  const name = input.FunctionName ?? DEFAULT_FUNCTION_NAME;
  if (typeof name !== 'string' || !FUNCTION_NAME_RE.test(name)) {
    throw lambdaErrors.invalidParameter(`1 validation error detected: Value '${String(name)}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+`);
  }
  const roleArn = typeof input.Role === 'string' ? await roleArnOf(deps, req.caller.accountId, input.Role) : undefined;
  if (roleArn === undefined || !ROLE_ARN_RE.test(roleArn)) {
    throw lambdaErrors.invalidParameter(`1 validation error detected: Value '${String(input.Role)}' at 'role' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+`);
  }
  const duration = input.DurationSeconds ?? 3600;
  if (!Number.isInteger(duration) || duration < 900 || duration > MAX_SECONDS) throw lambdaErrors.invalidParameter(`DurationSeconds must be between 900 and ${MAX_SECONDS}.`);
  const accountId = req.caller.accountId;
  const functionArn = `arn:aws:lambda:${req.region}:${accountId}:function:${name}`;
  await authorizeAction(deps, req, 'lambda:CreateFunction', functionArn, {}, lambdaErrors.accessDenied);
  await authorizePassRole(deps, req, roleArn, LAMBDA_SERVICE, lambdaErrors.accessDenied);
  try {
    const s = await assumeRoleAsService(deps, { service: LAMBDA_SERVICE, roleArn, sessionName: name, durationSeconds: duration, sourceAccount: accountId, sourceArn: functionArn, region: req.region });
    const c = s.Credentials;
    return { FunctionName: name, FunctionArn: functionArn, Role: roleArn, Credentials: { AccessKeyId: c.AccessKeyId, SecretAccessKey: c.SecretAccessKey, SessionToken: c.SessionToken, Expiration: isoSeconds(c.Expiration) } };
  } catch (e) {
    if (e instanceof AwsError && e.code === 'AccessDenied') throw lambdaErrors.invalidParameter('The role defined for the function cannot be assumed by Lambda.');
    throw e;
  }
}
