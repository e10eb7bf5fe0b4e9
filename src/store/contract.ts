/**
 * THE store contract: one suite every adapter must pass (the hono pattern: one case table, many
 * implementations). An adapter's test file calls
 *
 *   runStoreContract('sqlite', () => openFreshStore(), { durable: () => newFileDatabase() })
 *
 * `open` must return a fresh, empty store each call (each case closes what it opened).
 * `durable` (optional) enables the persistence and secrets-at-rest cases for adapters that keep
 * data in files or a server.
 */
import { describe } from 'node:test';
import type { Store } from './ports.js';
import { atomicityContract } from './contract/atomicity.js';
import { auditContract } from './contract/audit.js';
import { auditBatchContract } from './contract/audit-batches.js';
import { credentialContract } from './contract/credentials.js';
import { durabilityContract, type DurableTarget } from './contract/durability.js';
import { identityContract } from './contract/identities.js';
import { oidcProviderContract } from './contract/oidc-providers.js';
import { rolePolicyContract } from './contract/roles-policies.js';
import { samlProviderContract } from './contract/saml-providers.js';
import { workloadContract } from './contract/workloads.js';

export type { DurableTarget } from './contract/durability.js';

export interface StoreContractOptions {
  /** Creates a new durable database (same database for every `open()` of the target). */
  durable?: () => Promise<DurableTarget>;
}

export function runStoreContract(name: string, open: () => Promise<Store>, options: StoreContractOptions = {}): void {
  describe(`store contract: ${name}`, () => {
    identityContract(open);
    rolePolicyContract(open);
    credentialContract(open);
    oidcProviderContract(open);
    samlProviderContract(open);
    atomicityContract(open);
    workloadContract(open, options.durable);
    auditContract(open, options.durable);
    auditBatchContract(open);
    if (options.durable) durabilityContract(options.durable);
  });
}
