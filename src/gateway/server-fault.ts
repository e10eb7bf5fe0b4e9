/**
 * A failure that is not the caller's (a bug, the database out of reach), as the error the client
 * gets: one mapping for the gateway's pipeline and for its audit step.
 */
import type { Logger } from 'pino';
import type { ServiceName, WireError } from '../protocol/index.js';
import { StoreUnavailableError } from '../store/ports.js';

export function serverFault(service: ServiceName | undefined, e: unknown, logger: Logger, requestId: string, during: string): WireError {
  if (e instanceof StoreUnavailableError) {
    // The database is out of reach: a temporary service-side failure, never a verdict (AWS
    // common error ServiceUnavailable, 503, which SDKs retry).
    // https://docs.aws.amazon.com/IAM/latest/APIReference/CommonErrors.html
    logger.error({ requestId, cause: e.reason }, `${during}: store unavailable`);
    return { code: 'ServiceUnavailable', message: 'The request has failed due to a temporary failure of the server.', status: 503, sender: false };
  }
  logger.error({ err: e, requestId }, `${during}: internal error`);
  return { code: service === 'iam' ? 'ServiceFailure' : 'InternalFailure', message: 'We encountered an internal error. Please try again.', status: 500, sender: false };
}
