/**
 * `rolecall/authorize`: ask Rolecall whether a SigV4-signed request a service received may do
 * what it asks, and protect a Node HTTP service with AWS-style IAM. docs/authorize.md.
 */
export { AuthorizeClient, RolecallError, SIGNING_NAME, AUTHORIZE_PATH, VERIFY_IDENTITY_PATH, type AuthorizeClientOptions, type CredentialSource, type ServiceCredentials } from './client.js';
export { withIam, iamMiddleware, authorizeIncoming, renderXmlError, ServiceError, DEFAULT_MAX_BODY_BYTES, type IamOptions, type IamRequest, type Outcome } from './middleware.js';
export type * from './types.js';
