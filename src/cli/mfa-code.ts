/**
 * `rolecall mfa code SEEDFILE`: a virtual MFA app for the shell. Prints the current TOTP code
 * (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps) of the Base32 seed that
 * `aws iam create-virtual-mfa-device --outfile FILE --bootstrap-method Base32StringSeed` wrote,
 * as an authenticator app or `oathtool --totp -b` would: for `enable-mfa-device` and
 * `resync-mfa-device` (two consecutive codes: `--previous`, then the current one) and for
 * `--token-code` of AssumeRole and GetSessionToken. The seed is a secret: it is read from the
 * file, never from the command line.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { base32Decode, TOTP_STEP_SECONDS, totpCode } from '../services/iam/shared/totp.js';

export const MFA_HELP = `rolecall mfa code SEEDFILE [--previous]

Prints the current 6-digit TOTP code of a virtual MFA device, from the Base32 seed file that
'aws iam create-virtual-mfa-device --outfile SEEDFILE --bootstrap-method Base32StringSeed'
wrote ('-': read the seed from standard input).

  --previous   the code of the previous 30-second step: enable-mfa-device and
               resync-mfa-device take two consecutive codes, --authentication-code1 (this)
               and --authentication-code2 (the current one)

A code is accepted once: to use another, wait for the next 30-second step.
`;

export function runMfa(argv: string[], out: (s: string) => void, err: (s: string) => void, now: () => Date = () => new Date()): number {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    out(MFA_HELP);
    return 0;
  }
  if (sub !== 'code') {
    err(`rolecall mfa: unknown subcommand '${sub}'\n\n${MFA_HELP}`);
    return 252;
  }
  const { values, positionals } = parseArgs({ args: rest, options: { previous: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
  if (values.help) {
    out(MFA_HELP);
    return 0;
  }
  if (positionals.length !== 1) {
    err(`rolecall mfa code: give one seed file\n\n${MFA_HELP}`);
    return 252;
  }
  const file = positionals[0] as string;
  const text = readFileSync(file === '-' ? 0 : file, 'utf8').trim();
  let seed: Buffer;
  try {
    seed = base32Decode(text);
  } catch {
    err(`rolecall mfa code: ${file === '-' ? 'standard input' : file} does not hold a Base32 seed (create the device with --bootstrap-method Base32StringSeed)\n`);
    return 1;
  }
  if (seed.length === 0) {
    err(`rolecall mfa code: ${file === '-' ? 'standard input' : file} is empty\n`);
    return 1;
  }
  const at = new Date(now().getTime() - (values.previous ? TOTP_STEP_SECONDS * 1000 : 0));
  out(`${totpCode(seed, at)}\n`);
  return 0;
}
