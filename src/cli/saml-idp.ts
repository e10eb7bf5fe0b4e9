/**
 * `rolecall saml-idp`: a development SAML 2.0 identity provider (src/federation/dev-saml-idp.ts),
 * to try AssumeRoleWithSAML and SAML trust policies locally. `init` writes the metadata for
 * CreateSAMLProvider; `response` prints a signed authentication response for a role.
 */
import { parseArgs } from 'node:util';
import { devSamlResponse, initDevSamlIdp } from '../federation/dev-saml-idp.js';

export const SAML_IDP_HELP = `rolecall saml-idp init|response --dir DIR [options]

A development SAML 2.0 identity provider (not for production: whoever reads DIR can sign
assertions for anyone).

  init     --dir DIR --entity-id ID
           makes a signing key and certificate; writes DIR/saml-metadata.xml (for 'aws iam
           create-saml-provider --saml-metadata-document file://DIR/saml-metadata.xml') and
           prints its path
  response --dir DIR --role-arn ROLE --provider-arn PROVIDER --subject NAMEID
           --session-name NAME [--attribute NAME=VALUE]... [--valid-seconds N]
           prints a signed SAML response, base64 (for 'aws sts assume-role-with-saml
           --saml-assertion'); --attribute adds an attribute value, e.g.
           https://aws.amazon.com/SAML/Attributes/PrincipalTag:dept=eng
`;

export async function runSamlIdp(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    out(SAML_IDP_HELP);
    return 0;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      dir: { type: 'string' },
      'entity-id': { type: 'string' },
      'role-arn': { type: 'string' },
      'provider-arn': { type: 'string' },
      subject: { type: 'string' },
      'session-name': { type: 'string' },
      attribute: { type: 'string', multiple: true },
      'valid-seconds': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    out(SAML_IDP_HELP);
    return 0;
  }
  const usage = (why: string) => {
    err(`rolecall saml-idp ${sub}: ${why}\n\n${SAML_IDP_HELP}`);
    return 252;
  };
  if (!values.dir) return usage('--dir is required');
  if (sub === 'init') {
    if (!values['entity-id']) return usage('--entity-id is required');
    out(`${(await initDevSamlIdp(values.dir, values['entity-id'])).metadataFile}\n`);
    return 0;
  }
  if (sub !== 'response') return usage(`unknown subcommand '${sub}'`);
  const roleArn = values['role-arn'];
  const providerArn = values['provider-arn'];
  if (!roleArn || !providerArn || !values.subject || !values['session-name']) return usage('--role-arn, --provider-arn, --subject and --session-name are required');
  const attributes: Record<string, string[]> = {};
  for (const a of values.attribute ?? []) {
    const eq = a.lastIndexOf('=');
    if (eq <= 0) return usage(`--attribute takes NAME=VALUE, not '${a}'`);
    (attributes[a.slice(0, eq)] ??= []).push(a.slice(eq + 1));
  }
  const validSeconds = values['valid-seconds'] === undefined ? undefined : Number(values['valid-seconds']);
  if (validSeconds !== undefined && !(Number.isInteger(validSeconds) && validSeconds > 0)) return usage('--valid-seconds takes a positive whole number');
  out(devSamlResponse(values.dir, { subject: values.subject, roles: [{ roleArn, providerArn }], sessionName: values['session-name'], attributes, ...(validSeconds ? { validSeconds } : {}) }) + '\n');
  return 0;
}
