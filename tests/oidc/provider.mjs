// A real OpenID provider for the tests and benchmarks: npm `oidc-provider` (installed by
// scripts/test.sh into .test-tools/), shaped like a Keycloak realm. Keycloak itself cannot
// run here, so its paths (`<server>[/auth]/realms/<realm>/protocol/openid-connect/...`), its
// role claims (`realm_access.roles`, `resource_access.<client>.roles`), `preferred_username`
// and `organization` are reproduced by this configuration.
//
// Usage: node tests/oidc/provider.mjs CONFIG.json
// CONFIG (every field optional):
//   prefix       mount path, default "/realms/promptcraft" ("/auth/realms/..." for legacy Keycloak)
//   port         loopback port, default a free one
//   keys_file    JWKS with private keys; created when missing; with "rotate": true a new
//                signing key is put first (the old one stays published)
//   audience     the access tokens' `aud`, default "promptcraft-app"
//   access_ttl, refresh_ttl, device_ttl   lifetimes in seconds (defaults 300, 3600, 600)
//   alg          signing algorithm of access tokens, default RS256
//   users        { login: { email, organization, realm_roles, client_roles } }
// Prints `ready <issuer>` on stdout once it serves. Stops on SIGTERM.

import http from 'node:http';
import fs from 'node:fs';
import crypto from 'node:crypto';
import { pathToFileURL } from 'node:url';

const tools = process.env.PC_HYBRID_TEST_TOOLS;
if (!tools) {
  console.error('PC_HYBRID_TEST_TOOLS is not set: run the tests through scripts/test.sh');
  process.exit(2);
}
const { default: Provider } = await import(
  pathToFileURL(`${tools}/node_modules/oidc-provider/lib/index.js`).href
);

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const prefix = config.prefix ?? '/realms/promptcraft';
const audience = config.audience ?? 'promptcraft-app';
const alg = config.alg ?? 'RS256';
const CLI = 'pc-hybrid-cli';
const APP = 'promptcraft-app';

const users = config.users ?? {
  alice: { email: 'alice@example.com', realm_roles: ['platform-admin'] },
  bob: { email: 'bob@example.com', realm_roles: ['agent-developer'] },
  carol: { email: 'carol@example.com', client_roles: ['analyst'] },
  dave: { email: 'dave@example.com', realm_roles: ['auditor'] },
  eve: { email: 'eve@example.com', realm_roles: [] },
};

function newKey() {
  if (alg.startsWith('ES')) {
    const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    return { ...privateKey.export({ format: 'jwk' }), kid: crypto.randomUUID(), alg, use: 'sig' };
  }
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: crypto.randomUUID(), alg, use: 'sig' };
}

let keys;
if (config.keys_file && fs.existsSync(config.keys_file)) {
  keys = JSON.parse(fs.readFileSync(config.keys_file, 'utf8'));
  if (config.rotate) keys.keys.unshift(newKey());
} else {
  keys = { keys: [newKey()] };
}
if (config.keys_file) fs.writeFileSync(config.keys_file, JSON.stringify(keys), { mode: 0o600 });

// Keycloak's shape of a user's roles in a token.
function roleClaims(user) {
  const claims = { realm_access: { roles: user.realm_roles ?? [] } };
  if (user.client_roles) claims.resource_access = { [APP]: { roles: user.client_roles } };
  return claims;
}

function account(login) {
  const user = users[login];
  if (!user) return undefined;
  return {
    accountId: login,
    async claims() {
      return {
        sub: login,
        preferred_username: login,
        email: user.email,
        email_verified: true,
        organization: user.organization ?? 'promptcraft',
        ...roleClaims(user),
      };
    },
  };
}

const server = http.createServer();
await new Promise((resolve) => server.listen(config.port ?? 0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}${prefix}`;

const provider = new Provider(issuer, {
  jwks: keys,
  clients: [
    {
      client_id: CLI,
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1/callback'],
    },
    {
      client_id: APP,
      client_secret: config.client_secret ?? 'app-secret-for-tests-only',
      grant_types: ['client_credentials', 'authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1/callback'],
      application_type: 'native',
    },
  ],
  pkce: { required: () => true, methods: ['S256'] },
  scopes: ['openid', 'offline_access', 'profile', 'email', 'roles'],
  claims: {
    openid: ['sub'],
    profile: ['preferred_username', 'organization', 'realm_access', 'resource_access'],
    email: ['email', 'email_verified'],
  },
  async findAccount(_ctx, id) {
    return account(id);
  },
  features: {
    devInteractions: { enabled: true },
    deviceFlow: { enabled: true },
    clientCredentials: { enabled: true },
    revocation: { enabled: true },
    introspection: { enabled: true },
    rpInitiatedLogout: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => 'urn:promptcraft:api',
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'openid profile email offline_access roles',
        audience,
        accessTokenTTL: config.access_ttl ?? 300,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg } },
      }),
    },
  },
  async extraTokenClaims(ctx, token) {
    if (token.kind !== 'AccessToken' && token.kind !== 'ClientCredentials') return undefined;
    if (token.kind === 'ClientCredentials') {
      // Keycloak's service account of a confidential client.
      return {
        preferred_username: `service-account-${token.clientId}`,
        organization: 'promptcraft',
        ...roleClaims({ realm_roles: ['agent-developer'] }),
      };
    }
    const user = users[token.accountId];
    if (!user) return undefined;
    return {
      preferred_username: token.accountId,
      email: user.email,
      organization: user.organization ?? 'promptcraft',
      sid: token.sid,
      ...roleClaims(user),
    };
  },
  issueRefreshToken: async (ctx, client, code) => client.grantTypeAllowed('refresh_token')
    && code.scopes.has('offline_access'),
  rotateRefreshToken: () => true,
  ttl: {
    AccessToken: config.access_ttl ?? 300,
    ClientCredentials: config.access_ttl ?? 300,
    RefreshToken: config.refresh_ttl ?? 3600,
    DeviceCode: config.device_ttl ?? 600,
    Grant: 3600,
    Session: 3600,
    Interaction: 600,
    IdToken: 300,
    AuthorizationCode: 60,
  },
  routes: {
    authorization: '/protocol/openid-connect/auth',
    token: '/protocol/openid-connect/token',
    jwks: '/protocol/openid-connect/certs',
    userinfo: '/protocol/openid-connect/userinfo',
    device_authorization: '/protocol/openid-connect/auth/device',
    code_verification: '/device',
    revocation: '/protocol/openid-connect/revoke',
    introspection: '/protocol/openid-connect/token/introspect',
    end_session: '/protocol/openid-connect/logout',
  },
  cookies: { keys: ['test-cookie-key'] },
  clockTolerance: 5,
});

// devInteractions accepts any login: an unknown user is refused as a provider would.
const { interactionFinished } = provider;
provider.interactionFinished = async function finished(req, res, result, options) {
  if (result?.login && !users[result.login.accountId]) {
    return interactionFinished.call(this, req, res, {
      error: 'access_denied',
      error_description: 'unknown user',
    }, options);
  }
  return interactionFinished.call(this, req, res, result, options);
};

const callback = provider.callback();
server.on('request', (req, res) => {
  // The login pages of devInteractions live at /interaction/<uid>, outside the realm.
  if (req.url.startsWith(`${prefix}/`)) {
    req.originalUrl = req.url;
    req.url = req.url.slice(prefix.length);
  } else if (!req.url.startsWith('/interaction/')) {
    res.writeHead(404).end();
    return;
  }
  callback(req, res);
});

process.on('SIGTERM', () => server.close(() => process.exit(0)));
console.log(`ready ${issuer}`);
