/**
 * AWS-style IAM for a Node HTTP service in a few lines: the middleware reads the raw request
 * (method, path and query as sent, raw headers in order, the body's SHA-256), lets the service
 * say what the request asks for (`resolve`: action, resource ARNs, condition keys, resource
 * policy), asks Rolecall's decision point, and either hands the request on (with `req.rolecall`
 * = the answer, `req.rawBody` = the body) or answers the AWS error itself.
 *
 *   createServer(withIam(handler, { rolecall: { endpoint, credentials }, resolve }))   // node:http
 *   app.use(iamMiddleware({ rolecall: { endpoint, credentials }, resolve }))           // Express, Connect
 *
 * The service never sees a secret: it forwards what the client sent; Rolecall verifies the
 * signature. Mount it before any body parser (it must read the body bytes as they arrived).
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AuthorizeClient, RolecallError, type AuthorizeClientOptions } from './client.js';
import type { AuthorizationTarget, AuthorizeAnswer, AuthorizeRequest } from './types.js';

/** The request as the service's handler gets it after the middleware allowed it. */
export interface IamRequest extends IncomingMessage {
  /** The body bytes, read by the middleware. */
  rawBody: Buffer;
  /** Rolecall's answer: principal, decisions, matched statements. */
  rolecall: AuthorizeAnswer;
}

/** An error the service answers (thrown by `resolve`, or made by the middleware). */
export class ServiceError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    /** A denial's encoded authorization message (sts:DecodeAuthorizationMessage). */
    readonly encodedMessage?: string,
  ) {
    super(message);
    this.name = code;
  }
}

export interface IamOptions {
  /** The decision point: a client, or the options to make one. */
  rolecall: AuthorizeClient | AuthorizeClientOptions;
  /**
   * What the request asks for. Throw a ServiceError to answer it without asking Rolecall (e.g.
   * NotImplemented for an unknown operation). `req.rawBody` is already set.
   */
  resolve(req: IncomingMessage & { rawBody: Buffer }, url: { path: string; query: URLSearchParams }): AuthorizationTarget | AuthorizationTarget[] | Promise<AuthorizationTarget | AuthorizationTarget[]>;
  /** The SigV4 signing name clients must use for this service (e.g. `s3`). */
  signingName?: string;
  /** Accept UNSIGNED-PAYLOAD over a body (S3 does; off by default). */
  allowUnsignedPayload?: boolean;
  /** Largest body read (default 8 MiB); larger requests get 413 EntityTooLarge. */
  maxBodyBytes?: number;
  /** The client's IP for aws:SourceIp (default: the socket's peer address). */
  sourceIp?(req: IncomingMessage): string;
  /** Whether the client used TLS, for aws:SecureTransport (default: the socket is a TLS socket). */
  secureTransport?(req: IncomingMessage): boolean;
  /** Writes an error in the service's protocol (default: AWS's XML error, as S3 writes it). */
  renderError?(res: ServerResponse, err: ServiceError, requestId: string, req: IncomingMessage): void;
  /** Called when Rolecall cannot be asked (unreachable, or refuses the service's credential). */
  onRolecallError?(err: Error): void;
}

export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;

const escapeXml = (s: string) => s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c] as string);

/** AWS's REST-XML error body (S3's shape), which every AWS SDK maps to its error classes. */
export function renderXmlError(res: ServerResponse, err: ServiceError, requestId: string, req: IncomingMessage): void {
  const body =
    req.method === 'HEAD'
      ? ''
      : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message>` +
        (err.encodedMessage ? `<EncodedAuthorizationMessage>${escapeXml(err.encodedMessage)}</EncodedAuthorizationMessage>` : '') +
        `<RequestId>${escapeXml(requestId)}</RequestId></Error>`;
  res.writeHead(err.status, { 'content-type': 'application/xml', 'x-amz-request-id': requestId, 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  const pre = (req as { rawBody?: unknown }).rawBody;
  if (Buffer.isBuffer(pre)) return Promise.resolve(pre);
  if (req.readableEnded) return Promise.reject(new ServiceError('InternalError', 'The request body was read before the IAM middleware: mount it before body parsers.', 500));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) tooBig = true;
      else if (!tooBig) chunks.push(c);
    });
    req.on('end', () => (tooBig ? reject(new ServiceError('EntityTooLarge', `Your proposed upload exceeds the maximum allowed size of ${max} bytes.`, 413)) : resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks))));
    req.on('error', reject);
  });
}

function pairs(raw: readonly string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i] as string, raw[i + 1] as string]);
  return out;
}

export type Outcome = { ok: true; answer: AuthorizeAnswer; body: Buffer } | { ok: false; error: ServiceError; requestId: string };

const INTERNAL = () => new ServiceError('InternalError', 'We encountered an internal error. Please try again.', 500);

/**
 * The framework-neutral step: decide one request. `body` is the raw body when the framework has
 * read it already (Fastify with a buffer content parser), else it is read from `req`.
 */
export async function authorizeIncoming(req: IncomingMessage, body: Buffer | undefined, opts: IamOptions & { client: AuthorizeClient }): Promise<Outcome> {
  let requestId = '';
  try {
    const bytes = body ?? (await readBody(req, opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES));
    (req as IncomingMessage & { rawBody: Buffer }).rawBody = bytes;
    // Express rewrites req.url under a mount path; originalUrl is what the client sent (and signed).
    const target = (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/';
    const q = target.indexOf('?');
    const path = q < 0 ? target : target.slice(0, q);
    const query = q < 0 ? '' : target.slice(q + 1);
    const asked = await opts.resolve(req as IncomingMessage & { rawBody: Buffer }, { path, query: new URLSearchParams(query) });
    const request: AuthorizeRequest = {
      request: {
        method: req.method ?? 'GET',
        path,
        query,
        headers: pairs(req.rawHeaders),
        bodySha256: createHash('sha256').update(bytes).digest('hex'),
        sourceIp: opts.sourceIp ? opts.sourceIp(req) : (req.socket.remoteAddress ?? ''),
        secureTransport: opts.secureTransport ? opts.secureTransport(req) : (req.socket as { encrypted?: boolean }).encrypted === true,
      },
      authorizations: Array.isArray(asked) ? asked : [asked],
    };
    if (opts.signingName) request.signingName = opts.signingName;
    if (opts.allowUnsignedPayload) request.allowUnsignedPayload = true;
    const answer = await opts.client.authorize(request);
    requestId = answer.requestId;
    if (!answer.authenticated || answer.error) {
      const e = answer.error ?? { code: 'AccessDenied', message: 'Access Denied', status: 403 };
      return { ok: false, error: new ServiceError(e.code, e.message, e.status), requestId };
    }
    if (!answer.allowed) {
      const d = answer.decisions.find((x) => x.decision !== 'allowed');
      return { ok: false, error: new ServiceError('AccessDenied', d?.message ?? 'Access Denied', 403, d?.encodedMessage), requestId };
    }
    return { ok: true, answer, body: bytes };
  } catch (e) {
    if (e instanceof ServiceError) return { ok: false, error: e, requestId };
    // Rolecall unreachable, or refusing the service's own credential: the client must not learn
    // about the service's configuration, and nothing is allowed (fail closed).
    if (e instanceof RolecallError) requestId = e.requestId ?? '';
    (opts.onRolecallError ?? ((err: Error) => console.error(`rolecall/authorize: ${err.name}: ${err.message}`)))(e as Error);
    return { ok: false, error: INTERNAL(), requestId };
  }
}

function withClient(opts: IamOptions): IamOptions & { client: AuthorizeClient } {
  const client = opts.rolecall instanceof AuthorizeClient ? opts.rolecall : new AuthorizeClient(opts.rolecall);
  return { ...opts, client };
}

function fail(res: ServerResponse, req: IncomingMessage, opts: IamOptions, error: ServiceError, requestId: string): void {
  (opts.renderError ?? renderXmlError)(res, error, requestId, req);
}

/** Wraps a plain node:http handler: it runs only for allowed requests. */
export function withIam(handler: (req: IamRequest, res: ServerResponse) => void | Promise<void>, options: IamOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const opts = withClient(options);
  return (req, res) => {
    authorizeIncoming(req, undefined, opts).then(
      async (o) => {
        if (!o.ok) return fail(res, req, opts, o.error, o.requestId);
        (req as IamRequest).rolecall = o.answer;
        await handler(req as IamRequest, res);
      },
      (e: unknown) => fail(res, req, opts, e instanceof ServiceError ? e : INTERNAL(), ''),
    ).catch(() => {
      if (!res.headersSent) fail(res, req, opts, INTERNAL(), '');
    });
  };
}

/** Express / Connect middleware, `(req, res, next)`: `next()` for allowed requests, the AWS error otherwise. */
export function iamMiddleware(options: IamOptions): (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => void {
  const opts = withClient(options);
  return (req, res, next) => {
    authorizeIncoming(req, undefined, opts).then(
      (o) => {
        if (!o.ok) return fail(res, req, opts, o.error, o.requestId);
        (req as IamRequest).rolecall = o.answer;
        next();
      },
      (e: unknown) => next(e),
    );
  };
}
