#!/usr/bin/env node
/**
 * The `rolecall` command. Each command's module is imported when it runs: `rolecall creds` (a
 * credential_process helper, run on every refresh) must not load the whole server first.
 */
import { readFileSync } from 'node:fs';

const HELP = `rolecall: self-hostable AWS IAM roles, trust policies and STS

Usage: rolecall <command> [options]

Commands:
  start                    start the server (IAM, STS, CloudTrail on one port; SQLite store)
  env                      print shell exports for the AWS CLI and SDKs (eval "$(npx rolecall env)")
  account create|list      more accounts, each with root credentials, for cross-account work
  role revoke-sessions ROLE deny a role's sessions issued before now (AWSRevokeOlderSessions)
  instance run --profile P simulated EC2 instances; a command gets the role over IMDSv2 (exec, list, terminate)
  task run --role ROLE     run a command as an ECS task with a task role (container credentials)
  exec --role ROLE         run a command with a role's session (yours, or --service lambda.amazonaws.com)
  creds --role ROLE        a role's session as credential_process output
  simulate-custom-policy   evaluate policies offline, like 'aws iam simulate-custom-policy'
  audit export             the audit trail as JSON lines (CloudTrail events), for SIEM tools
  verify-identity TOKEN    who signed an EKS-style token, presigned GetCallerIdentity URL or Vault login data
  lint FILE...             check trust and permission policies for the classic mistakes (text, JSON, SARIF)
  who-can-assume ROLE      every principal that can assume a role, directly or by chaining (text, JSON, graph)
  what-can-assume ARN      every role a principal can assume, directly or by chaining
  aws-policies import FILE AWS managed policies, from 'aws iam get-account-authorization-details' output
  mfa code SEEDFILE        the current TOTP code of a virtual MFA device's seed (an authenticator app)
  oidc-issuer init|serve|token  a development OpenID Connect issuer, for AssumeRoleWithWebIdentity
  saml-idp init|response   a development SAML identity provider, for AssumeRoleWithSAML
  version                  print the version
  help                     this text

Run 'rolecall <command> --help' for a command's options.
`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const out = (s: string) => process.stdout.write(s);
  const err = (s: string) => process.stderr.write(s);
  switch (cmd) {
    case 'start':
      return (await import('./start.js')).runStart(rest, out);
    case 'env':
      return (await import('./env.js')).runEnv(rest, out);
    case 'account':
      return (await import('./account.js')).runAccount(rest, out);
    case 'role':
      return (await import('./revoke-sessions.js')).runRole(rest, out, err);
    case 'instance':
      return (await import('./instance.js')).runInstance(rest, out, err);
    case 'task':
      return (await import('./task.js')).runTask(rest, out, err);
    case 'exec':
      return (await import('./exec.js')).runExec(rest, out, err);
    case 'creds':
      return (await import('./exec.js')).runCreds(rest, out, err);
    case 'simulate-custom-policy':
      return (await import('./simulate.js')).runSimulate(rest, out, err);
    case 'audit':
      return (await import('./audit.js')).runAudit(rest, out, err);
    case 'verify-identity':
      return (await import('./verify-identity.js')).runVerifyIdentity(rest, out, err);
    case 'who-can-assume':
    case 'what-can-assume':
      return (await import('./who-can-assume.js')).runWhoCanAssume(cmd === 'who-can-assume' ? 'who' : 'what', rest, { out, err, isTty: process.stdout.isTTY === true, env: process.env });
    case 'lint':
      return (await import('./lint.js')).runLint(rest, { out, err, isTty: process.stdout.isTTY === true, env: process.env, version: version() });
    case 'aws-policies':
      return (await import('./aws-policies.js')).runAwsPolicies(rest, out, err);
    case 'mfa':
      return (await import('./mfa-code.js')).runMfa(rest, out, err);
    case 'oidc-issuer':
      return (await import('./oidc-issuer.js')).runOidcIssuer(rest, out, err);
    case 'saml-idp':
      return (await import('./saml-idp.js')).runSamlIdp(rest, out, err);
    case 'version':
    case '--version':
      out(`rolecall ${version()}\n`);
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      out(HELP);
      return 0;
    default:
      err(`rolecall: unknown command '${cmd}'\n\n${HELP}`);
      return 252;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`rolecall: ${(e as Error).message}\n`);
    process.exitCode = 255;
  },
);
