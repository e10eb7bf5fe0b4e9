/**
 * One-time acceptance of MFA codes: one code for an enabled device, what STS (AssumeRole /
 * GetSessionToken with SerialNumber + TokenCode) needs, and two consecutive codes, what IAM's
 * EnableMFADevice and ResyncMFADevice need. The TOTP maths is in totp.ts; this adds the store's
 * replay guard.
 *
 * INVARIANT: a code's time step is accepted at most once per device (consumeTimeStep is atomic),
 * so a token code seen once (EnableMFADevice included) never authenticates again.
 */
import type { MfaDeviceRecord, Store } from '../../../store/ports.js';
import { verifyConsecutiveTotp, verifyTotp } from './totp.js';

export type MfaCodeResult =
  | { ok: true; device: MfaDeviceRecord; step: number }
  | { ok: false; reason: 'no-device' | 'not-enabled' | 'wrong-user' | 'invalid-code' | 'replayed' };

/**
 * Checks `code` for the device `serialNumber` of `accountId`, enabled for `userName`
 * (case-insensitive), within ±`window` steps of `now`, and consumes its time step.
 */
export async function acceptMfaCode(
  store: Store,
  opts: { accountId: string; serialNumber: string; code: string; now: Date; userName: string; window?: number },
): Promise<MfaCodeResult> {
  const device = await store.mfaDevices.get(opts.serialNumber);
  if (!device || device.accountId !== opts.accountId) return { ok: false, reason: 'no-device' };
  if (device.userName === undefined) return { ok: false, reason: 'not-enabled' };
  if (device.userName.toLowerCase() !== opts.userName.toLowerCase()) return { ok: false, reason: 'wrong-user' };
  const step = verifyTotp(device.seed, opts.code, opts.now, opts.window ?? 1);
  if (step === undefined) return { ok: false, reason: 'invalid-code' };
  if (!(await store.mfaDevices.consumeTimeStep(device.serialNumber, step))) return { ok: false, reason: 'replayed' };
  return { ok: true, device, step };
}

/**
 * Checks two consecutive codes (`code1`, then `code2` one step later, near `now`) for `device`
 * and consumes the second one's time step. Both steps must lie above the last step the device
 * accepted, so neither code is accepted twice (here, by STS or by a later Enable/Resync). False:
 * wrong, reversed, non-consecutive or spent codes. Call it inside the store transaction that
 * read `device`.
 */
export async function acceptConsecutiveMfaCodes(store: Store, device: MfaDeviceRecord, code1: string, code2: string, now: Date): Promise<boolean> {
  const step = verifyConsecutiveTotp(device.seed, code1, code2, now);
  if (step === undefined) return false;
  if (device.lastUsedTimeStep !== undefined && step - 1 <= device.lastUsedTimeStep) return false;
  return store.mfaDevices.consumeTimeStep(device.serialNumber, step);
}
