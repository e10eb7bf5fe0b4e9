/**
 * Test support (no tests here): a development OIDC issuer (dev-issuer.ts) on a free port with its
 * state in a temp directory, for the AssumeRoleWithWebIdentity tests.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initDevIssuer, mintDevToken, startDevIssuer, type DevTokenOptions, type RunningDevIssuer } from './dev-issuer.js';

/** A TCP port nobody listens on right now (127.0.0.1). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export interface TestIssuer {
  dir: string;
  /** https://localhost:PORT */
  issuer: string;
  /** The provider url: localhost:PORT */
  url: string;
  thumbprint: string;
  kid: string;
  running: RunningDevIssuer;
  token(opts: DevTokenOptions): Promise<string>;
  close(): Promise<void>;
}

export async function startTestIssuer(path?: string): Promise<TestIssuer> {
  const dir = mkdtempSync(join(tmpdir(), 'rolecall-oidc-'));
  const state = await initDevIssuer(dir, { port: await freePort(), ...(path ? { path } : {}) });
  const running = await startDevIssuer(dir);
  return {
    dir,
    issuer: state.issuer,
    url: state.issuer.slice('https://'.length),
    thumbprint: state.thumbprint,
    kid: state.kid,
    running,
    token: (opts) => mintDevToken(dir, opts),
    async close() {
      await running.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
