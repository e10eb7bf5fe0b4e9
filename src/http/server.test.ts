import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request as httpRequest, Agent } from 'node:http';
import { test } from 'node:test';
import { listen, MAX_BODY_BYTES, type HttpRequest } from './server.js';

function post(url: string, path: string, body: string | Buffer, agent: Agent): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${path}`, { method: 'POST', agent, headers: { 'content-type': 'text/plain', 'x-test': 'one' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('requests arriving together are each answered by their own handler call, a failing one with 500 only', async () => {
  const seen: HttpRequest[] = [];
  const errors: unknown[] = [];
  const answer = async (req: HttpRequest, n: number) => {
    if (n % 5 === 3) throw new Error(`boom ${n}`);
    // Answers finish out of order: later requests first.
    await new Promise((r) => setTimeout(r, 20 - n));
    return { status: 200, headers: { 'content-type': 'text/plain', 'Content-Length': '999' }, body: `${n}:${req.body.toString('utf8')}` };
  };
  const l = await listen(
    (req) => {
      seen.push(req);
      const n = Number(req.path.slice(1));
      // A handler that throws before returning its promise (a bug) fails its own request only.
      if (n === 9) throw new Error('sync boom 9');
      return answer(req, n);
    },
    '127.0.0.1',
    0,
    (e) => errors.push(e),
  );
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  try {
    const answers = await Promise.all(Array.from({ length: 20 }, (_, n) => post(l.url, `/${n}`, `body-${n}`, agent)));
    for (const [n, a] of answers.entries()) {
      if (n % 5 === 3 || n === 9) {
        assert.equal(a.status, 500);
        assert.equal(a.body, 'Internal Server Error');
      } else {
        assert.equal(a.status, 200);
        assert.equal(a.body, `${n}:body-${n}`);
        // The listener owns Content-Length, whatever the handler said.
        assert.equal(a.headers['content-length'], String(Buffer.byteLength(a.body)));
      }
    }
    assert.equal(seen.length, 20);
    assert.equal(errors.length, 5);
    const one = seen.find((r) => r.path === '/7');
    assert.ok(one);
    assert.equal(one.method, 'POST');
    assert.equal(one.query, '');
    assert.deepEqual(one.headers.find(([k]) => k === 'x-test'), ['x-test', 'one']);
    assert.equal(one.bodySha256Hex, createHash('sha256').update('body-7').digest('hex'));
  } finally {
    agent.destroy();
    await l.close();
  }
});

test('an oversized body is refused with 413 and never reaches the handler', async () => {
  let calls = 0;
  const l = await listen(
    async () => {
      calls++;
      return { status: 200, headers: {}, body: 'ok' };
    },
    '127.0.0.1',
    0,
    () => {},
  );
  const agent = new Agent({ keepAlive: false });
  try {
    const big = await post(l.url, '/', Buffer.alloc(MAX_BODY_BYTES + 1, 0x61), agent);
    assert.equal(big.status, 413);
    const small = await post(l.url, '/?a=b', 'x', agent);
    assert.equal(small.status, 200);
    assert.equal(calls, 1);
  } finally {
    agent.destroy();
    await l.close();
  }
});

test('a client that keeps sending on its kept-alive connection does not hold the server open: its answers after close() say Connection: close', { timeout: 15_000 }, async () => {
  let entered: (() => void) | undefined;
  const l = await listen(
    async () => {
      entered?.();
      await new Promise((r) => setTimeout(r, 20));
      return { status: 200, headers: {}, body: 'ok' };
    },
    '127.0.0.1',
    0,
    () => {},
  );
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let answered = 0;
  const connectionHeaders: unknown[] = [];
  let ended: unknown;
  const client = (async () => {
    for (;;) {
      try {
        const a = await post(l.url, '/', 'x', agent);
        answered++;
        connectionHeaders.push(a.headers.connection);
      } catch (e) {
        ended = e; // the server is gone: refused
        return;
      }
    }
  })();
  try {
    while (answered < 3) await new Promise((r) => setTimeout(r, 5));
    // Close while a request is in flight on the connection (without the fix, node keeps the
    // connection after answering it, the client sends again, and close() never finishes).
    await new Promise<void>((r) => (entered = r));
    const t0 = Date.now();
    await l.close();
    const took = Date.now() - t0;
    assert.ok(took < 2000, `close() took ${took} ms`);
    await client;
    assert.equal((ended as NodeJS.ErrnoException).code, 'ECONNREFUSED');
    assert.equal(connectionHeaders[0], 'keep-alive');
    assert.equal(connectionHeaders.at(-1), 'close', 'the answer in flight at close() ends the connection');
  } finally {
    agent.destroy();
  }
});

test('an idle kept-alive connection stays open longer than node\'s 5 s default', { timeout: 15_000 }, async () => {
  const l = await listen(async () => ({ status: 200, headers: {}, body: 'ok' }), '127.0.0.1', 0, () => {});
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const sockets = new Set<unknown>();
    const first = new Promise<void>((resolve, reject) => {
      const req = httpRequest(`${l.url}/`, { method: 'POST', agent }, (res) => {
        sockets.add(res.socket);
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end('x');
    });
    await first;
    const [socket] = [...sockets] as Array<import('node:net').Socket>;
    let closedAt: number | undefined;
    socket!.once('close', () => (closedAt = Date.now()));
    await new Promise((r) => setTimeout(r, 6000));
    assert.equal(closedAt, undefined, 'the server closed the idle connection');
    // And it is reused.
    const again = await post(l.url, '/', 'y', agent);
    assert.equal(again.status, 200);
  } finally {
    agent.destroy();
    await l.close();
  }
});
