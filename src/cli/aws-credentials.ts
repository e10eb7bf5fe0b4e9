/**
 * The caller's own AWS credentials, found where the AWS CLI and SDKs look (a small subset of
 * their chain, like aws-vault's source credentials): an explicit profile, else the environment
 * (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN), else the profile named by
 * AWS_PROFILE (or `default`) in the shared credentials and config files. Only static keys are
 * read from profiles: no credential_process is ever run from here, so a profile whose
 * credential_process is `rolecall creds` cannot loop back into itself.
 * https://docs.aws.amazon.com/sdkref/latest/guide/file-format.html
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { SigningCredentials } from './sign-request.js';

/** Sections of an AWS shared config/credentials file: name -> key -> value (keys lower-cased). */
export function parseIni(text: string): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[\s*([^\]]+?)\s*\]$/.exec(line);
    if (section) {
      const name = (section[1] as string).replace(/\s+/g, ' ');
      current = out.get(name) ?? new Map();
      out.set(name, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0 && current && !/^\s/.test(raw)) current.set(line.slice(0, eq).trim().toLowerCase(), line.slice(eq + 1).trim());
  }
  return out;
}

function readIni(path: string): Map<string, Map<string, string>> {
  try {
    return parseIni(readFileSync(path, 'utf8'));
  } catch {
    return new Map();
  }
}

function staticKeys(section: Map<string, string> | undefined): SigningCredentials | undefined {
  const id = section?.get('aws_access_key_id');
  const secret = section?.get('aws_secret_access_key');
  if (!id || !secret) return undefined;
  const c: SigningCredentials = { accessKeyId: id, secretAccessKey: secret };
  const token = section?.get('aws_session_token');
  if (token) c.sessionToken = token;
  return c;
}

/** A profile's static keys: the credentials file's [name], then the config file's [profile name] ([default] for default). */
export function profileCredentials(env: NodeJS.ProcessEnv, profile: string): SigningCredentials | undefined {
  const home = env.HOME ?? homedir();
  const creds = readIni(env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, '.aws', 'credentials'));
  const config = readIni(env.AWS_CONFIG_FILE ?? join(home, '.aws', 'config'));
  return staticKeys(creds.get(profile)) ?? staticKeys(config.get(profile === 'default' ? 'default' : `profile ${profile}`)) ?? (profile === 'default' ? undefined : staticKeys(config.get(profile)));
}

export interface FoundCredentials {
  creds: SigningCredentials;
  from: string;
}

/** The caller's credentials, or undefined when none are found (see the file comment for the order). */
export function callerCredentials(env: NodeJS.ProcessEnv, explicitProfile?: string): FoundCredentials | undefined {
  if (explicitProfile !== undefined) {
    const c = profileCredentials(env, explicitProfile);
    if (!c) throw new Error(`profile ${explicitProfile} has no aws_access_key_id / aws_secret_access_key`);
    return { creds: c, from: `profile ${explicitProfile}` };
  }
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    const creds: SigningCredentials = { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY };
    if (env.AWS_SESSION_TOKEN) creds.sessionToken = env.AWS_SESSION_TOKEN;
    return { creds, from: 'environment' };
  }
  const profile = env.AWS_PROFILE ?? env.AWS_DEFAULT_PROFILE ?? 'default';
  const c = profileCredentials(env, profile);
  return c ? { creds: c, from: `profile ${profile}` } : undefined;
}
