// Forged and odd tokens for the tests of token verification, signed with the test
// provider's own private key (read from its keys file) or in the ways attackers sign them.
//
// Usage: node tests/oidc/forge.mjs KEYS.json SPECS.json
// SPECS: [{ "header": {...}, "claims": {...}, "sign": "key" | "none" | "hs256-public" |
//           "stranger" | "tamper", "pad": N }]
// "key" signs with the provider's first key (its kid unless the header names another),
// "none" leaves the signature empty, "hs256-public" keys HMAC-SHA256 with the provider's
// public key, "stranger" signs with a fresh key, "tamper" signs then changes the payload,
// "pad" adds a claim of N bytes. Prints one token per line.

import fs from 'node:fs';
import crypto from 'node:crypto';

const keys = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')).keys;
const specs = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
const b64 = (v) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const jwk = keys[0];
const priv = crypto.createPrivateKey({ key: jwk, format: 'jwk' });
const pub = crypto.createPublicKey(priv);
const stranger = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;

for (const spec of specs) {
  const claims = { ...spec.claims };
  if (spec.pad) claims.pad = 'x'.repeat(spec.pad);
  const header = { alg: 'RS256', typ: 'JWT', kid: jwk.kid, ...spec.header };
  const input = `${b64(header)}.${b64(claims)}`;
  let sig = '';
  switch (spec.sign) {
    case 'none':
      break;
    case 'hs256-public': {
      const secret = pub.export({ format: 'pem', type: 'spki' });
      sig = crypto.createHmac('sha256', secret).update(input).digest('base64url');
      break;
    }
    case 'stranger':
      sig = crypto.sign('sha256', Buffer.from(input), stranger).toString('base64url');
      break;
    default:
      sig = crypto.sign('sha256', Buffer.from(input), priv).toString('base64url');
  }
  let token = `${input}.${sig}`;
  if (spec.sign === 'tamper') {
    token = `${b64(header)}.${b64({ ...claims, preferred_username: 'mallory', realm_access: { roles: ['platform-admin'] } })}.${sig}`;
  }
  console.log(token);
}
