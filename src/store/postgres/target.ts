/**
 * The database URL, and how it may be shown. INVARIANT: the password never leaves this module
 * in a message: `describe()` and `redact()` drop it, and `scrub()` removes it (raw or
 * percent-encoded) from any text built from a driver error.
 */

export interface DatabaseTarget {
  /** The URL as given, password included: only for the driver. */
  readonly url: string;
  /** `user@host:port/database`, for logs and errors. */
  readonly description: string;
  /** The URL with the password replaced by `***`. */
  readonly redacted: string;
  /** Removes the password from text that may quote it. */
  scrub(text: string): string;
}

const SCHEMES = new Set(['postgres:', 'postgresql:']);

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url.trim());
}

export function parseDatabaseUrl(url: string): DatabaseTarget {
  let u: URL;
  try {
    u = new URL(url.trim());
  } catch {
    throw new Error('the database URL is not a valid URL (expected postgres://user:password@host:port/database)');
  }
  if (!SCHEMES.has(u.protocol.toLowerCase())) throw new Error(`the database URL must start with postgres:// or postgresql:// (got ${u.protocol}//...)`);
  const rawPassword = u.password;
  const secrets = rawPassword ? [rawPassword, safeDecode(rawPassword)].filter((s) => s.length > 0) : [];
  const user = safeDecode(u.username) || '(default user)';
  const host = u.hostname || 'localhost';
  const port = u.port || '5432';
  const database = safeDecode(u.pathname.replace(/^\//, '')) || '(default database)';
  const redactedUrl = new URL(u.href);
  if (redactedUrl.password) redactedUrl.password = '***';
  const scrub = (text: string): string => {
    let out = text;
    for (const s of secrets) out = out.split(s).join('***');
    return out;
  };
  return {
    url: url.trim(),
    description: `${user}@${host}:${port}/${database}`,
    redacted: redactedUrl.href,
    scrub,
  };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
