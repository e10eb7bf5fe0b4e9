/**
 * MFA on STS calls that take SerialNumber + TokenCode (GetSessionToken here; AssumeRole words its
 * failures the same way): the code must come from the caller's own enabled device, and each code
 * authenticates once. Failures are AccessDenied with STS's messages.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_configure-api-require.html
 */
import { AwsError } from '../../domain/aws-error.js';
import type { Caller } from '../../domain/caller.js';
import type { Store } from '../../store/ports.js';
import { acceptMfaCode } from '../iam/shared/mfa-codes.js';

export const MFA_UNABLE_TO_VALIDATE = 'MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.';
export const MFA_INVALID_CODE = 'MultiFactorAuthentication failed with invalid MFA one time pass code.';

/**
 * The instant MFA authenticated the request, or undefined when neither SerialNumber nor TokenCode
 * was passed. Throws AccessDenied when only one of them is passed or the code does not verify.
 */
export async function verifySessionMfa(store: Store, caller: Caller, input: { SerialNumber?: string; TokenCode?: string }, now: Date): Promise<Date | undefined> {
  if (input.SerialNumber === undefined && input.TokenCode === undefined) return undefined;
  if (input.SerialNumber === undefined || input.TokenCode === undefined) throw new AwsError('AccessDenied', MFA_UNABLE_TO_VALIDATE);
  // Rolecall has no MFA devices for the root user (IAM's virtual devices are enabled for users),
  // so no device can be "associated with this user" when root asks.
  if (caller.kind !== 'user' || !caller.userName) throw new AwsError('AccessDenied', MFA_UNABLE_TO_VALIDATE);
  const r = await acceptMfaCode(store, {
    accountId: caller.accountId,
    serialNumber: input.SerialNumber,
    code: input.TokenCode,
    now,
    // INVARIANT: a user authenticates only with a device enabled for that very user.
    userName: caller.userName,
  });
  if (!r.ok) throw new AwsError('AccessDenied', r.reason === 'invalid-code' || r.reason === 'replayed' ? MFA_INVALID_CODE : MFA_UNABLE_TO_VALIDATE);
  return now;
}
