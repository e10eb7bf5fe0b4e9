/** Session tokens: the public surface of tokens/ (see docs/session-tokens.md). */
export type { IssuedCredentials, SessionClaims, SessionIssuer, SessionKind, SessionVerifier } from './claims.js';
export { MAX_TOKEN_CHARS, TOKEN_PREFIX } from './envelope.js';
export { KEY_RING_SETTING, KeyRing, type KeyRingOptions } from './key-ring.js';
export { PACKED_POLICY_BUDGET_BYTES, PACKED_TAGS_BUDGET_BYTES, packedPolicySizePercent } from './packed-size.js';
export { CorruptKeyRingError, DEFAULT_ROTATION_SECONDS, MAX_SESSION_SECONDS } from './ring-state.js';
export { SessionTokenService, type OpenResult, type SessionTokenServiceOptions } from './session-tokens.js';
