/**
 * The HTTP listener: reads each request whole (raw headers kept in order for SigV4), hands it to
 * the gateway, writes the answer. Graceful shutdown closes idle keep-alive sockets, answers the
 * requests in flight with `Connection: close` (so a client that keeps sending on its connection
 * cannot hold the server open), and after CLOSE_GRACE_MS closes whatever is left.
 */
import * as crypto from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpRequest {
  method: string;
  /** Path as sent, without the query string. */
  path: string;
  /** Raw query string without '?'. */
  query: string;
  /** Raw header pairs in arrival order. */
  headers: Array<[string, string]>;
  body: Buffer;
  bodySha256Hex: string;
  remoteAddress: string;
  /** The local address the request arrived on (identifies simulated instances later). */
  localAddress: string;
  localPort: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

export type Handler = (req: HttpRequest) => Promise<HttpResponse>;

/** Lower-case hex SHA-256 of the body: `crypto.hash` (Node >= 20.12) skips the Hash object. */
const EMPTY_SHA256_HEX = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const bodySha256Hex: (b: Buffer) => string =
  typeof crypto.hash === 'function' ? (b) => (b.length === 0 ? EMPTY_SHA256_HEX : crypto.hash('sha256', b, 'hex')) : (b) => crypto.createHash('sha256').update(b).digest('hex');

export const MAX_BODY_BYTES = 1024 * 1024; // AWS query APIs cap requests well below this
/**
 * How long an idle kept-alive connection stays open. Node's default (5 s) races clients that
 * keep connections for reuse with no idle limit of their own (the AWS SDKs' agents): a request
 * sent on a connection the server is closing fails with ECONNRESET, which SDKs retry and
 * single-attempt clients report. Under node's headersTimeout (60 s).
 */
export const KEEP_ALIVE_MS = 55_000;
/** After close(), how long requests in flight get to finish before their connections are closed. */
export const CLOSE_GRACE_MS = 10_000;

function headerPairs(raw: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i] as string, raw[i + 1] as string]);
  return out;
}

function send(res: ServerResponse, r: HttpResponse, closing: boolean): void {
  // A string body goes out in the same write as the headers (node joins them); a Buffer would
  // cost a second write (writev) per response.
  const length = typeof r.body === 'string' ? Buffer.byteLength(r.body, 'utf8') : r.body.length;
  // The listener owns Content-Length: drop any the handler set (in any case), or node sends two.
  const headers: Record<string, string> = {};
  for (const k in r.headers) if (k.toLowerCase() !== 'content-length') headers[k] = r.headers[k] as string;
  headers['content-length'] = String(length);
  // Shutting down: node closes the connection after this answer instead of keeping it.
  if (closing) headers['connection'] = 'close';
  res.writeHead(r.status, headers);
  res.end(r.body);
}

export interface Listening {
  server: Server;
  url: string;
  port: number;
  close(): Promise<void>;
}

export function listen(handler: Handler, host: string, port: number, onError: (e: unknown) => void): Promise<Listening> {
  // Requests read in one pass of the event loop's poll phase are handled together, right after
  // it (setImmediate), rather than each in its own socket callback between the kernel's reads
  // and writes: the pipeline's code and data stay warm in the CPU's caches from one request to
  // the next, which is worth more than the microseconds a request waits (docs/benchmarks.md).
  let queue: Array<{ request: HttpRequest; res: ServerResponse }> = [];
  let closing = false;
  const drain = (): void => {
    const batch = queue;
    queue = [];
    for (const { request, res } of batch) {
      let answer: Promise<HttpResponse>;
      try {
        answer = handler(request);
      } catch (e) {
        answer = Promise.reject(e); // one handler's bug must not cost the rest of the batch their answers
      }
      answer.then(
        (r) => send(res, r, closing),
        (e: unknown) => {
          onError(e);
          if (!res.headersSent) send(res, { status: 500, headers: { 'content-type': 'text/plain' }, body: 'Internal Server Error' }, closing);
        },
      );
    }
  };
  const server = createServer({ keepAlive: true }, (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) tooBig = true;
      else chunks.push(c);
    });
    req.on('end', () => {
      if (tooBig) {
        send(res, { status: 413, headers: { 'content-type': 'text/plain' }, body: 'Request Entity Too Large' }, closing);
        return;
      }
      const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const request: HttpRequest = {
        method: req.method ?? 'GET',
        path: q < 0 ? url : url.slice(0, q),
        query: q < 0 ? '' : url.slice(q + 1),
        headers: headerPairs(req.rawHeaders),
        body,
        bodySha256Hex: bodySha256Hex(body),
        remoteAddress: req.socket.remoteAddress ?? '',
        localAddress: req.socket.localAddress ?? '',
        localPort: req.socket.localPort ?? 0,
      };
      if (queue.push({ request, res }) === 1) setImmediate(drain);
    });
    req.on('error', onError);
  });
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address() as AddressInfo;
      const h = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
      resolve({
        server,
        port: addr.port,
        url: `http://${h}:${addr.port}`,
        close: () =>
          new Promise<void>((done) => {
            closing = true;
            const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
            force.unref();
            server.close(() => {
              clearTimeout(force);
              done();
            });
            server.closeIdleConnections();
          }),
      });
    });
  });
}
