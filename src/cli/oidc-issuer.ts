/**
 * `rolecall oidc-issuer`: a development OpenID Connect issuer (src/federation/dev-issuer.ts), to
 * try AssumeRoleWithWebIdentity, GitHub Actions style trust policies and the SDKs' web identity
 * credential chain locally. `init` makes the keys and prints what CreateOpenIDConnectProvider
 * needs; `serve` publishes the keys; `token` signs an ID token.
 */
import { parseArgs } from 'node:util';
import { initDevIssuer, mintDevToken, startDevIssuer } from '../federation/dev-issuer.js';

export const OIDC_ISSUER_HELP = `rolecall oidc-issuer init|serve|token --dir DIR [options]

A development OpenID Connect issuer (not for production: whoever reads DIR can sign tokens).

  init  --dir DIR --port PORT [--path /PATH]
        makes the signing key and a TLS certificate for localhost; prints the issuer URL and
        the certificate's thumbprint as JSON (for 'aws iam create-open-id-connect-provider
        --url ISSUER --thumbprint-list THUMBPRINT --client-id-list AUDIENCE')
  serve --dir DIR
        serves the discovery document and the key set on https://localhost:PORT until stopped
  token --dir DIR --sub SUBJECT --aud AUDIENCE [--aud ...] [--expires-in SECONDS]
        [--claims JSON]
        prints a signed ID token (no server needed), e.g. for AWS_WEB_IDENTITY_TOKEN_FILE;
        --claims adds claims, e.g. '{"https://aws.amazon.com/tags":{"principal_tags":
        {"team":["ci"]}}}'
`;

export async function runOidcIssuer(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    out(OIDC_ISSUER_HELP);
    return 0;
  }
  const { values } = parseArgs({
    args: rest,
    options: {
      dir: { type: 'string' },
      port: { type: 'string' },
      path: { type: 'string' },
      sub: { type: 'string' },
      aud: { type: 'string', multiple: true },
      'expires-in': { type: 'string' },
      claims: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    out(OIDC_ISSUER_HELP);
    return 0;
  }
  const usage = (why: string) => {
    err(`rolecall oidc-issuer ${sub}: ${why}\n\n${OIDC_ISSUER_HELP}`);
    return 252;
  };
  if (!values.dir) return usage('--dir is required');
  switch (sub) {
    case 'init': {
      const port = Number(values.port);
      if (!values.port || !Number.isInteger(port) || port < 1 || port > 65535) return usage('--port PORT (1-65535) is required');
      const s = await initDevIssuer(values.dir, { port, ...(values.path ? { path: values.path } : {}) });
      out(JSON.stringify(s, null, 2) + '\n');
      return 0;
    }
    case 'serve': {
      const running = await startDevIssuer(values.dir);
      out(`OIDC issuer ${running.issuer} (thumbprint ${running.thumbprint})\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await running.close();
      return 0;
    }
    case 'token': {
      if (!values.sub) return usage('--sub is required');
      if (!values.aud?.length) return usage('--aud is required');
      const expiresIn = values['expires-in'] === undefined ? undefined : Number(values['expires-in']);
      if (expiresIn !== undefined && !Number.isInteger(expiresIn)) return usage('--expires-in takes whole seconds');
      let claims: Record<string, unknown> | undefined;
      if (values.claims !== undefined) {
        try {
          claims = JSON.parse(values.claims) as Record<string, unknown>;
        } catch {
          return usage('--claims must be a JSON object');
        }
        if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) return usage('--claims must be a JSON object');
      }
      const aud = values.aud.length === 1 ? (values.aud[0] as string) : values.aud;
      out((await mintDevToken(values.dir, { sub: values.sub, aud, ...(expiresIn !== undefined ? { expiresIn } : {}), ...(claims ? { claims } : {}) })) + '\n');
      return 0;
    }
    default:
      return usage(`unknown subcommand '${sub}'`);
  }
}
