/**
 * A tiny S3-compatible object store protected by Rolecall's decision point: unmodified AWS SDKs
 * and the AWS CLI talk to it with path-style URLs (`/bucket/key`), signing with credentials from
 * Rolecall (an IAM user's keys, or a role session from AssumeRole), and every request is
 * authorized with AWS's rules: identity policies, permissions boundary, session policy and the
 * bucket policy, evaluated by Rolecall. The store itself never sees a secret.
 *
 * Operations: ListBuckets, ListObjectsV2, GetObject, HeadObject, PutObject, DeleteObject (memory
 * only). Action, resource and condition keys follow the S3 authorization reference:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
 *
 *   import { createObjectStore } from './object-store.mjs';
 *   const store = createObjectStore({ rolecall: { endpoint, credentials }, ownerAccountId, buckets: { data: {} } });
 *   await store.listen(9000);
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { ServiceError, withIam } from 'rolecall/authorize';

const XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';
const escapeXml = (s) => String(s).replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]);
const iso = (d) => d.toISOString().replace(/(\.\d{3})Z$/, '$1Z');

/** Object tags from `x-amz-tagging: k1=v1&k2=v2` (URL query encoding), as PutObject takes them. */
function parseTagging(header) {
  if (!header) return {};
  return Object.fromEntries(new URLSearchParams(header));
}

/**
 * What a request asks for: the S3 action, its resource ARN and the condition keys S3 computes
 * for it, plus the bucket policy (the resource-based policy) and the owner account.
 */
function operationOf(req, { path, query }, store) {
  const [, rawBucket = '', ...rawKey] = path.split('/');
  const bucket = decodeURIComponent(rawBucket);
  const key = decodeURIComponent(rawKey.join('/'));
  const method = req.method;
  if (!bucket) {
    if (method === 'GET') return { name: 'ListBuckets', action: 's3:ListAllMyBuckets', resource: '*' };
    throw new ServiceError('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405);
  }
  const b = store.buckets.get(bucket);
  const bucketArn = `arn:aws:s3:::${bucket}`;
  const common = { bucket, b, ...(b?.policy ? { resourcePolicy: b.policy } : {}) };
  if (!key) {
    if (method === 'GET' && query.get('list-type') === '2') {
      const context = {};
      // s3:prefix, s3:delimiter, s3:max-keys exist only when the request carries them.
      if (query.has('prefix')) context['s3:prefix'] = query.get('prefix');
      if (query.has('delimiter')) context['s3:delimiter'] = query.get('delimiter');
      if (query.has('max-keys')) context['s3:max-keys'] = Number(query.get('max-keys'));
      return { name: 'ListObjectsV2', action: 's3:ListBucket', resource: bucketArn, context, ...common };
    }
    throw new ServiceError('NotImplemented', 'A header or query you provided implies functionality that is not implemented.', 501);
  }
  const objectArn = `${bucketArn}/${key}`;
  const existing = b?.objects.get(key);
  const existingTags = {};
  for (const [k, v] of Object.entries(existing?.tags ?? {})) existingTags[`s3:ExistingObjectTag/${k}`] = v;
  switch (method) {
    case 'GET':
      return { name: 'GetObject', action: 's3:GetObject', resource: objectArn, key, context: existingTags, ...common };
    case 'HEAD':
      return { name: 'HeadObject', action: 's3:GetObject', resource: objectArn, key, context: existingTags, ...common };
    case 'DELETE':
      return { name: 'DeleteObject', action: 's3:DeleteObject', resource: objectArn, key, context: existingTags, ...common };
    case 'PUT': {
      if (req.headers['x-amz-copy-source']) throw new ServiceError('NotImplemented', 'CopyObject is not implemented by this example.', 501);
      const tags = parseTagging(req.headers['x-amz-tagging']);
      const context = {};
      for (const [k, v] of Object.entries(tags)) context[`s3:RequestObjectTag/${k}`] = v;
      if (Object.keys(tags).length) context['s3:RequestObjectTagKeys'] = Object.keys(tags);
      return { name: 'PutObject', action: 's3:PutObject', resource: objectArn, key, tags, context, ...common };
    }
    default:
      throw new ServiceError('MethodNotAllowed', 'The specified method is not allowed against this resource.', 405);
  }
}

function sendXml(res, status, xml, requestId, extra = {}) {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`;
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), 'x-amz-request-id': requestId, ...extra });
  res.end(body);
}

function sendError(res, req, status, code, message, requestId, extra = '') {
  if (req.method === 'HEAD') {
    res.writeHead(status, { 'x-amz-request-id': requestId });
    return res.end();
  }
  sendXml(res, status, `<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message>${extra}<RequestId>${requestId}</RequestId></Error>`, requestId);
}

function listObjectsV2(b, bucket, query) {
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const maxKeys = Math.min(Math.max(Number(query.get('max-keys') ?? 1000) || 0, 0), 1000);
  const token = query.get('continuation-token');
  const after = token ? Buffer.from(token, 'base64url').toString('utf8') : (query.get('start-after') ?? '');
  const contents = [];
  const prefixes = new Set();
  let truncated = false;
  let last = '';
  for (const key of [...b.objects.keys()].sort()) {
    if (!key.startsWith(prefix) || key <= after) continue;
    const rest = key.slice(prefix.length);
    const cut = delimiter ? rest.indexOf(delimiter) : -1;
    const entry = cut >= 0 ? prefix + rest.slice(0, cut + delimiter.length) : undefined;
    if (entry !== undefined && prefixes.has(entry)) continue;
    if (contents.length + prefixes.size >= maxKeys) {
      truncated = true;
      break;
    }
    if (entry !== undefined) prefixes.add(entry);
    else contents.push([key, b.objects.get(key)]);
    last = key;
  }
  const xml =
    `<ListBucketResult xmlns="${XMLNS}"><Name>${escapeXml(bucket)}</Name><Prefix>${escapeXml(prefix)}</Prefix>` +
    (delimiter ? `<Delimiter>${escapeXml(delimiter)}</Delimiter>` : '') +
    `<MaxKeys>${maxKeys}</MaxKeys><KeyCount>${contents.length + prefixes.size}</KeyCount><IsTruncated>${truncated}</IsTruncated>` +
    (token ? `<ContinuationToken>${escapeXml(token)}</ContinuationToken>` : '') +
    (truncated ? `<NextContinuationToken>${Buffer.from(last, 'utf8').toString('base64url')}</NextContinuationToken>` : '') +
    contents
      .map(([k, o]) => `<Contents><Key>${escapeXml(k)}</Key><LastModified>${iso(o.lastModified)}</LastModified><ETag>&quot;${o.etag}&quot;</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`)
      .join('') +
    [...prefixes].map((p) => `<CommonPrefixes><Prefix>${escapeXml(p)}</Prefix></CommonPrefixes>`).join('') +
    '</ListBucketResult>';
  return xml;
}

/** The operations themselves, run only for requests Rolecall allowed. */
async function handle(req, res, store) {
  const op = req.operation;
  const requestId = req.rolecall.requestId;
  if (op.name === 'ListBuckets') {
    const buckets = [...store.buckets.entries()].map(([n, b]) => `<Bucket><Name>${escapeXml(n)}</Name><CreationDate>${iso(b.created)}</CreationDate></Bucket>`).join('');
    return sendXml(res, 200, `<ListAllMyBucketsResult xmlns="${XMLNS}"><Owner><ID>${store.ownerAccountId}</ID></Owner><Buckets>${buckets}</Buckets></ListAllMyBucketsResult>`, requestId);
  }
  // As S3: a caller allowed to ask learns that a bucket does not exist; others got AccessDenied.
  if (!op.b) return sendError(res, req, 404, 'NoSuchBucket', 'The specified bucket does not exist', requestId, `<BucketName>${escapeXml(op.bucket)}</BucketName>`);
  switch (op.name) {
    case 'ListObjectsV2':
      return sendXml(res, 200, listObjectsV2(op.b, op.bucket, req.listQuery), requestId);
    case 'PutObject': {
      const body = req.rawBody;
      const etag = createHash('md5').update(body).digest('hex');
      op.b.objects.set(op.key, { body, etag, contentType: req.headers['content-type'] ?? 'binary/octet-stream', lastModified: store.clock.now(), tags: op.tags, owner: req.rolecall.principal.arn });
      res.writeHead(200, { etag: `"${etag}"`, 'x-amz-request-id': requestId, 'content-length': 0 });
      return res.end();
    }
    case 'GetObject':
    case 'HeadObject': {
      const o = op.b.objects.get(op.key);
      if (!o) return sendError(res, req, 404, 'NoSuchKey', 'The specified key does not exist.', requestId, `<Key>${escapeXml(op.key)}</Key>`);
      res.writeHead(200, { 'content-type': o.contentType, 'content-length': o.body.length, etag: `"${o.etag}"`, 'last-modified': o.lastModified.toUTCString(), 'x-amz-request-id': requestId });
      return res.end(op.name === 'GetObject' ? o.body : undefined);
    }
    case 'DeleteObject':
      op.b.objects.delete(op.key);
      res.writeHead(204, { 'x-amz-request-id': requestId });
      return res.end();
  }
}

/**
 * @param {object} options
 * @param {import('rolecall/authorize').AuthorizeClientOptions} options.rolecall  Rolecall's URL and this service's credential
 * @param {string} options.ownerAccountId  the account that owns the buckets (cross-account rules)
 * @param {Record<string, {policy?: string | object}>} options.buckets  bucket names and their bucket policies
 * @param {boolean} [options.allowUnsignedPayload]  accept UNSIGNED-PAYLOAD (presigned PUT URLs), as S3 does
 * @param {{now(): Date}} [options.clock]  the store's clock (Date headers, LastModified); tests share Rolecall's
 */
export function createObjectStore(options) {
  const clock = options.clock ?? options.rolecall.clock ?? { now: () => new Date() };
  const store = {
    clock,
    ownerAccountId: options.ownerAccountId,
    buckets: new Map(Object.entries(options.buckets ?? {}).map(([name, b]) => [name, { policy: b.policy, objects: new Map(), created: clock.now() }])),
  };
  const handler = withIam((req, res) => handle(req, res, store), {
    rolecall: options.rolecall,
    signingName: 's3',
    allowUnsignedPayload: options.allowUnsignedPayload ?? false,
    resolve(req, url) {
      const op = operationOf(req, url, store);
      req.operation = op;
      req.listQuery = url.query;
      return { action: op.action, resources: [op.resource], context: op.context ?? {}, resourceAccount: store.ownerAccountId, ...(op.resourcePolicy ? { resourcePolicy: op.resourcePolicy } : {}) };
    },
    onRolecallError: options.onRolecallError,
  });
  const server = createServer({ keepAlive: true }, (req, res) => {
    res.setHeader('x-amz-id-2', randomUUID());
    // SDKs correct their clock from the Date header of a response: it must be this store's time.
    res.setHeader('date', clock.now().toUTCString());
    handler(req, res);
  });
  return {
    server,
    buckets: store.buckets,
    /** Replace a bucket's policy (as PutBucketPolicy would). */
    setBucketPolicy(bucket, policy) {
      const b = store.buckets.get(bucket);
      if (!b) throw new Error(`no bucket ${bucket}`);
      b.policy = policy;
    },
    listen(port = 0, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const a = server.address();
          resolve(`http://${host}:${a.port}`);
        });
      });
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
