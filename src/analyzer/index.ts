/**
 * Rolecall's policy analyzer: lint findings for trust and permission policies (decided with the
 * policy engine, each condition-dependent finding with a witness request), and who can assume a
 * role over an inventory of accounts. Pure: no I/O; callers load documents and inventories.
 */
export type * from './types.js';
export { SEVERITIES } from './types.js';
export { FINDINGS, FINDING_IDS, TRUST_FINDING_IDS, atLeast, findingSpec, severityRank, type FindingId, type FindingSpec } from './findings.js';
export { lintPolicy, POLICY_TYPES } from './lint.js';
export { detectType } from './grammar.js';
export { pathText } from './locate.js';
export { formatText, countBySeverity, type FileResult } from './report/text.js';
export { formatJson, findingJson } from './report/json.js';
export { formatSarif, SARIF_SCHEMA } from './report/sarif.js';
export type { Inventory, InventoryRole, InventoryUser, InventoryTag } from './inventory.js';
export { AssumeGraph, whoCanAssume, whatCanAssume, type AssumeAnswer, type AssumeEdge, type AssumeNode, type AssumePath, type Assumer, type EdgeCondition, type GraphOptions, type NodeKind, type ConditionKind } from './assume-graph.js';
export { validatePolicy, policyTypeOf, toValidatePolicyFinding, type ValidatePolicyFinding, type ValidatePolicyType } from './validate-policy.js';
