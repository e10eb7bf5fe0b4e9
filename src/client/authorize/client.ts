/**
 * The client of Rolecall's decision point (`rolecall/authorize`): a service asks whether a request
 * it received may do what it asks, signing its own call with its service credential (SigV4,
 * signing name `rolecall`, signed with the same canonicalization the server verifies). No
 * runtime dependency beyond Node: node:http(s) with a keep-alive agent and node:crypto.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { signRequest, type SigningCredentials } from '../../cli/sign-request.js';
import type { AuthorizeAnswer, AuthorizeRequest, ErrorAnswer, IdentityAnswer, VerifyIdentityRequest } from './types.js';

export type ServiceCredentials = SigningCredentials;
/** Fixed credentials, or a function called before each call (for rotating or temporary ones). */
export type CredentialSource = ServiceCredentials | (() => ServiceCredentials | Promise<ServiceCredentials>);

export interface AuthorizeClientOptions {
  /** Rolecall's URL, e.g. http://127.0.0.1:4747. */
  endpoint: string;
  /** The service's credential; its policies must allow rolecall:Authorize. */
  credentials: CredentialSource;
  /** Signing region (any; default us-east-1). */
  region?: string;
  /** Per-call timeout (default 5000 ms). */
  timeoutMs?: number;
  /** Signing time source (tests); default the system clock. */
  clock?: { now(): Date };
}

/** A non-200 answer from Rolecall, or no answer: AWS's code, message and HTTP status. */
export class RolecallError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = code;
  }
}

export const SIGNING_NAME = 'rolecall';
export const AUTHORIZE_PATH = '/_rolecall/authorize';
export const VERIFY_IDENTITY_PATH = '/_rolecall/verify-identity';

interface Answer {
  status: number;
  body: string;
}

export class AuthorizeClient {
  private readonly base: URL;
  private readonly agent: HttpAgent;
  private readonly region: string;
  private readonly timeoutMs: number;
  private readonly clock: { now(): Date };

  constructor(private readonly opts: AuthorizeClientOptions) {
    this.base = new URL(opts.endpoint);
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') throw new TypeError(`rolecall/authorize: endpoint must be http(s), not ${opts.endpoint}`);
    this.agent = this.base.protocol === 'https:' ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    this.region = opts.region ?? 'us-east-1';
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.clock = opts.clock ?? { now: () => new Date() };
  }

  /** Asks for decisions; resolves with the answer (allowed or not), rejects with RolecallError. */
  async authorize(req: AuthorizeRequest): Promise<AuthorizeAnswer> {
    const creds = typeof this.opts.credentials === 'function' ? await this.opts.credentials() : this.opts.credentials;
    const body = JSON.stringify(req);
    const signed = signRequest({ method: 'POST', url: new URL(AUTHORIZE_PATH, this.base).toString(), headers: { 'content-type': 'application/json' }, body }, creds, { service: SIGNING_NAME, region: this.region, now: this.clock.now() });
    return this.parse<AuthorizeAnswer>(await this.send(signed.url, signed.headers, body));
  }

  /** Verifies an identity proof (EKS token, presigned GetCallerIdentity URL, Vault login data). */
  async verifyIdentity(req: VerifyIdentityRequest): Promise<IdentityAnswer> {
    const body = JSON.stringify(req);
    return this.parse<IdentityAnswer>(await this.send(new URL(VERIFY_IDENTITY_PATH, this.base).toString(), { 'content-type': 'application/json' }, body));
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    this.agent.destroy();
  }

  private parse<T>(a: Answer): T {
    let json: unknown;
    try {
      json = JSON.parse(a.body);
    } catch {
      throw new RolecallError('InternalFailure', `Rolecall answered HTTP ${a.status} without JSON`, a.status >= 400 ? a.status : 502);
    }
    if (a.status === 200) return json as T;
    const e = (json as Partial<ErrorAnswer>).error;
    throw new RolecallError(e?.code ?? 'InternalFailure', e?.message ?? `Rolecall answered HTTP ${a.status}`, a.status, (json as Partial<ErrorAnswer>).requestId);
  }

  private send(url: string, headers: Record<string, string>, body: string): Promise<Answer> {
    const u = new URL(url);
    const fn = u.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const r = fn(u, { method: 'POST', agent: this.agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      r.setTimeout(this.timeoutMs, () => r.destroy(new RolecallError('ServiceUnavailable', `Rolecall did not answer within ${this.timeoutMs} ms`, 503)));
      r.on('error', (e) => reject(e instanceof RolecallError ? e : new RolecallError('ServiceUnavailable', `Rolecall is unreachable: ${e.message}`, 503)));
      r.end(body);
    });
  }
}
