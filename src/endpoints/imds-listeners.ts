/**
 * One loopback listener per simulated instance: the instance is whoever owns the port a request
 * arrives on (an endpoint path prefix cannot carry it: the JS SDK drops it, sdk-compat §2.3).
 * Served by the server process, so every issuance is authorized and audited there. Bound to
 * 127.0.0.1 only: instance credentials never leave the host.
 */
import type { InstanceEndpointHost } from '../services/workloads/instances.js';
import { listen, type Handler, type Listening } from '../http/server.js';

export const IMDS_BIND_HOST = '127.0.0.1';

export class ImdsListeners implements InstanceEndpointHost {
  private readonly open_ = new Map<string, Listening>();

  constructor(
    private readonly handlerFor: (instanceId: string) => Handler,
    private readonly onError: (e: unknown) => void,
  ) {}

  async open(instanceId: string, preferredPort: number): Promise<number> {
    const existing = this.open_.get(instanceId);
    if (existing) return existing.port;
    const handler = this.handlerFor(instanceId);
    let l: Listening;
    try {
      l = await listen(handler, IMDS_BIND_HOST, preferredPort, this.onError);
    } catch (e) {
      // The port a restarted server had is taken now: the instance gets a new one.
      if (preferredPort === 0 || (e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
      l = await listen(handler, IMDS_BIND_HOST, 0, this.onError);
    }
    this.open_.set(instanceId, l);
    return l.port;
  }

  async close(instanceId: string): Promise<void> {
    const l = this.open_.get(instanceId);
    if (!l) return;
    this.open_.delete(instanceId);
    await l.close();
  }

  async closeAll(): Promise<void> {
    const all = [...this.open_.keys()];
    await Promise.all(all.map((id) => this.close(id)));
  }
}
