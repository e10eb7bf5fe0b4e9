/**
 * sts:DecodeAuthorizationMessage: opens an encoded authorization message (authorization-message.ts)
 * for a caller whose policies allow `sts:DecodeAuthorizationMessage` (resource `*`).
 * https://docs.aws.amazon.com/STS/latest/APIReference/API_DecodeAuthorizationMessage.html
 *
 * A message opens only for principals of the account it was sealed for; anything else (garbage,
 * truncated or line-broken text, another installation's or another account's message) is
 * InvalidAuthorizationMessageException, as the reference describes.
 */
import { AwsError } from '../../domain/aws-error.js';
import { defineOperation } from '../operation.js';
import { decodeAuthorizationMessage as openMessage } from './authorization-message.js';

export interface DecodeAuthorizationMessageInput {
  EncodedMessage: string;
}

export const INVALID_AUTHORIZATION_MESSAGE = 'The encoded authorization message is invalid';

export const decodeAuthorizationMessage = defineOperation<DecodeAuthorizationMessageInput, { DecodedMessage: string }>({
  service: 'sts',
  name: 'DecodeAuthorizationMessage',
  resources: () => ['*'],
  async run(input, ctx) {
    const caller = ctx.caller;
    if (!caller) throw new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token');
    const decoded = await openMessage(ctx.store.settings, input.EncodedMessage, caller.accountId);
    if (decoded === undefined) throw new AwsError('InvalidAuthorizationMessageException', INVALID_AUTHORIZATION_MESSAGE);
    return { DecodedMessage: decoded };
  },
});


