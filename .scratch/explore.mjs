import { startTestServer, iamClient, stsClient, TRUST_EC2, doc } from '../dist/test/conformance/support/server.js';
const s = await startTestServer();
const iam = await iamClient(s.url, s.root);
const sts = await stsClient(s.url, s.root);
const show = async (label, p) => { try { const r = await p; delete r.$metadata; console.log(label, 'OK', JSON.stringify(r).slice(0, 600)); } catch (e) { console.log(label, 'ERR', e.name, e.$metadata?.httpStatusCode, JSON.stringify(e.message)); } };
const script = (await import('node:fs')).readFileSync(process.argv[2], 'utf8');
await (new Function('s','iam','sts','show','TRUST_EC2','doc', `return (async () => { ${script} })()`))(s, iam, sts, show, TRUST_EC2, doc);
await s.close();
