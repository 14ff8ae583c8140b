// A generic OpenID Connect provider for the API tests (not ScaiKey): panva/oidc-provider on a
// free loopback port. It issues JWT access tokens through the client-credentials grant; the
// token's claims are those the test asks for in the `x_claims` form field (JSON), so a test plays
// a tenant user who controls its own roles and scopes at this issuer. Prints `PORT <n>` once
// listening; the discovery document is then at /.well-known/openid-configuration.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import http from 'node:http';
import Provider from 'oidc-provider';

// A signing key of this run, not the library's built-in development keys (which are public and
// make it warn on every start).
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwks = { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), use: 'sig', alg: 'RS256' }] };

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    jwks,
    // Explicit lifetimes: a test's token outlives the test, and the library warns without them.
    ttl: { AccessToken: 600, ClientCredentials: 600 },
    clients: [{
      client_id: 'scaidns',
      client_secret: 'scaidns-secret',
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
    }],
    scopes: ['openid', 'platform:admin'],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => 'urn:scaidns',
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'platform:admin',
          audience: 'scaidns',
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    extraTokenClaims: (ctx) => {
      const raw = ctx.oidc.body && ctx.oidc.body.x_claims;
      return raw ? JSON.parse(raw) : {};
    },
    extraParams: ['x_claims'],
  });
  server.on('request', provider.callback());
  process.stdout.write(`PORT ${port}\n`);
});
