// The HTTP floor: a bare node:http server answering fixed STS XML, with no signature check, no
// store, no routing beyond reading Action from the form body. A copy of
// shared/anchors/sts-server.mjs reduced to its VERIFY=none, FRAMEWORK=http, WORKERS=1 case (same
// responses, same body handling), so that nothing in bench/ imports ../shared at run time.
// Whatever Rolecall does per request costs the difference between this and Rolecall.
//
// env: PORT (default 18080). Listens on 127.0.0.1 only.
// GET /__stats returns {pid, ok, rejected}.
import http from 'node:http';

const PORT = Number(process.env.PORT || 18080);
const HOST = '127.0.0.1';
const ACCOUNT = '123456789012';

const NS = 'https://sts.amazonaws.com/doc/2011-06-15/';
const REQ_ID = 'c6104cbe-af31-11e0-8154-cbc7ccf896c7';
// Session token length in the range real STS tokens have (as in the anchors).
const SESSION_TOKEN = 'FwoGZXIvYXdzE' + 'A'.repeat(600 - 13);
const XML_GCI = `<GetCallerIdentityResponse xmlns="${NS}"><GetCallerIdentityResult><Arn>arn:aws:iam::${ACCOUNT}:user/bench</Arn><UserId>AIDAEXAMPLEBENCHUSER</UserId><Account>${ACCOUNT}</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>${REQ_ID}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`;
const XML_AR = `<AssumeRoleResponse xmlns="${NS}"><AssumeRoleResult><AssumedRoleUser><Arn>arn:aws:sts::${ACCOUNT}:assumed-role/bench-role/bench</Arn><AssumedRoleId>AROAEXAMPLEBENCHROLE:bench</AssumedRoleId></AssumedRoleUser><Credentials><AccessKeyId>ASIAEXAMPLEBENCHKEY1</AccessKeyId><SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey><SessionToken>${SESSION_TOKEN}</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult><ResponseMetadata><RequestId>${REQ_ID}</RequestId></ResponseMetadata></AssumeRoleResponse>`;
const errXml = (code, msg) => `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${msg}</Message></Error><RequestId>${REQ_ID}</RequestId></ErrorResponse>`;

const stats = { ok: 0, rejected: 0 };

async function handle(method, url, headers, body) {
  const params = new URLSearchParams(body);
  const action = params.get('Action');
  if (action === 'GetCallerIdentity') { stats.ok++; return [200, XML_GCI]; }
  if (action === 'AssumeRole') {
    if (!params.get('RoleArn') || !params.get('RoleSessionName')) { stats.rejected++; return [400, errXml('ValidationError', 'missing RoleArn/RoleSessionName')]; }
    stats.ok++;
    return [200, XML_AR];
  }
  stats.rejected++;
  return [400, errXml('InvalidAction', 'Could not find operation ' + action)];
}

const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/__stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ pid: process.pid, ...stats }));
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
    handle(req.method, req.url, req.headers, body).then(([status, xml]) => {
      res.writeHead(status, { 'content-type': 'text/xml', 'x-amzn-requestid': REQ_ID, 'content-length': Buffer.byteLength(xml) });
      res.end(xml);
    }, (e) => { res.writeHead(500); res.end(String(e)); });
  });
});
server.keepAliveTimeout = 65_000;
server.listen(PORT, HOST);
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));
