#!/usr/bin/env node
/** The `rolecall` command. */
import { readFileSync } from 'node:fs';
import { runSimulate } from './simulate.js';

const HELP = `rolecall: self-hostable AWS IAM roles, trust policies and STS

Usage: rolecall <command> [options]

Commands:
  simulate-custom-policy   evaluate policies offline, like 'aws iam simulate-custom-policy'
  version                  print the version
  help                     this text

Run 'rolecall <command> --help' for a command's options.
`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function main(argv: string[]): number {
  const [cmd, ...rest] = argv;
  const out = (s: string) => process.stdout.write(s);
  const err = (s: string) => process.stderr.write(s);
  switch (cmd) {
    case 'simulate-custom-policy':
      return runSimulate(rest, out, err);
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

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  process.stderr.write(`rolecall: ${(e as Error).message}\n`);
  process.exitCode = 255;
}
