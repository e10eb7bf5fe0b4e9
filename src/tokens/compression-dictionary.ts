/**
 * The preset dictionary for deflating token claims (format version 1).
 *
 * A token's claims are a few hundred bytes of JSON: too short for deflate to learn much, so we
 * prime it with the text claims usually hold (field names in canonical order, ARN shapes and
 * JSON-escaped policy boilerplate, since session policies sit inside a JSON string). Deflate
 * prefers close matches, so the most common text comes last.
 *
 * INVARIANT: these bytes are part of token format version 1. Changing a single byte makes every
 * outstanding token undecodable, so a change needs a new format version (and the old dictionary
 * kept for opening). claims-codec.test.ts pins the SHA-256 of the dictionary.
 */

const POLICY_TEXT = [
  '\\"ForAllValues:StringLike\\":{\\"',
  '\\"ForAnyValue:StringEquals\\":{\\"aws:TagKeys\\":[\\"',
  '\\"IpAddress\\":{\\"aws:SourceIp\\":[\\"10.0.0.0/8\\"]}',
  '\\"DateLessThan\\":{\\"aws:CurrentTime\\":\\"',
  '\\"Bool\\":{\\"aws:SecureTransport\\":\\"true\\",\\"aws:MultiFactorAuthPresent\\":\\"true\\"}',
  '\\"ArnLike\\":{\\"aws:SourceArn\\":\\"',
  '\\"StringLike\\":{\\"s3:prefix\\":[\\"${aws:username}/*\\"]}',
  '\\"StringEquals\\":{\\"aws:RequestedRegion\\":\\"us-east-1\\",\\"aws:PrincipalTag/',
  '\\"aws:ResourceTag/',
  '\\"Condition\\":{',
  'kms:Decrypt\\",\\"kms:GenerateDataKey\\"],\\"Resource\\":\\"arn:aws:kms:us-east-1:',
  'logs:CreateLogStream\\",\\"logs:PutLogEvents\\"],\\"Resource\\":\\"arn:aws:logs:us-east-1:',
  'sqs:SendMessage\\",\\"sqs:ReceiveMessage\\",\\"sqs:DeleteMessage\\"],\\"Resource\\":\\"arn:aws:sqs:us-east-1:',
  'sns:Publish\\"],\\"Resource\\":\\"arn:aws:sns:us-east-1:',
  'dynamodb:GetItem\\",\\"dynamodb:PutItem\\",\\"dynamodb:Query\\"],\\"Resource\\":\\"arn:aws:dynamodb:us-east-1:',
  ':table/',
  'ec2:Describe*\\",\\"ec2:StartInstances\\",\\"ec2:StopInstances\\"],\\"Resource\\":\\"arn:aws:ec2:us-east-1:',
  ':instance/*\\"',
  'iam:PassRole\\",\\"sts:AssumeRole\\",\\"sts:TagSession\\"],\\"Resource\\":\\"arn:aws:iam::',
  '\\"Effect\\":\\"Deny\\",\\"NotAction\\":[\\"',
  '\\"NotResource\\":\\"',
  '\\"Principal\\":{\\"AWS\\":\\"',
  '\\"Resource\\":\\"*\\"}',
  '{\\"Version\\":\\"2012-10-17\\",\\"Statement\\":[{\\"Sid\\":\\"',
  '\\",\\"Effect\\":\\"Allow\\",\\"Action\\":[\\"s3:GetObject\\",\\"s3:PutObject\\",\\"s3:ListBucket\\",\\"s3:DeleteObject\\"],\\"Resource\\":[\\"arn:aws:s3:::',
  '/*\\"]},{\\"Effect\\":\\"Allow\\",\\"Action\\":\\"',
  '\\"}]}',
];

const CLAIMS_TEXT = [
  'token.actions.githubusercontent.com',
  'cognito-identity.amazonaws.com',
  'accounts.google.com',
  'lambda.amazonaws.com',
  'ecs-tasks.amazonaws.com',
  'ec2.amazonaws.com',
  ':oidc-provider/',
  ':saml-provider/',
  ',"federatedName":"',
  ',"federatedProvider":"arn:aws:iam::',
  '","invokedBy":"',
  ',"mfaAuthenticatedAt":',
  '],"sourceIdentity":"',
  ',"userArn":"arn:aws:iam::',
  ':user/',
  '","userId":"AIDA',
  '","userName":"',
  'federated-user',
  'user-session',
  'root-session',
  'arn:aws:sts::',
  ':federated-user/',
  ':assumed-role/',
  ':root',
  '{"accessKeyId":"ASIA',
  '","accountId":"',
  '","chainDepth":0,"expiresAt":17',
  ',"issuedAt":17',
  ',"kind":"assumed-role","originalCaller":"arn:aws:iam::',
  '","roleArn":"arn:aws:iam::',
  ':role/',
  '","roleId":"AROA',
  '","roleName":"',
  '","secretAccessKey":"',
  '","sessionName":"',
  '","sessionPolicies":["',
  '"],"tags":[{"Key":"',
  '","Value":"',
  '"},{"Key":"',
  '"}],"transitiveTagKeys":["',
  '"],"v":1}',
];

export const CLAIMS_DICTIONARY: Buffer = Buffer.from(POLICY_TEXT.join('') + CLAIMS_TEXT.join(''), 'utf8');
