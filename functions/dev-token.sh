#!/usr/bin/env bash
# Prints a bearer token for calling the app locally (Auth__UseDevelopmentKey=true, Development only).
# Usage: bash functions/dev-token.sh [tenant] [user] [admin|operator]
#   curl -H "Authorization: Bearer $(bash functions/dev-token.sh shop-1 alice)" http://localhost:7071/api/v1/products
# The token is shaped like a Microsoft Entra ID v2.0 user token (tid, sub, oid, scp, roles); the tenant is its tid, and
# with the development key a tenant is onboarded by its first request. An operator token (for /api/v1/operator/...) is
# minted for the directory Auth__OperatorDirectoryId names: bash functions/dev-token.sh operator ops operator.
# Issuer and audience: Auth__Authority and the first of Auth__Audiences from the environment when set, else from
# local.settings.json. The key is the published development key in Platform/Auth/DevelopmentSigningKey.cs: never a secret,
# never accepted in Azure.
set -euo pipefail
cd "$(dirname "$0")/.."
settings=local.settings.json
[ -f "$settings" ] || settings=local.settings.sample.json
TENANT="${1:-shop-1}" USER_ID="${2:-alice}" ROLE="${3:-}" SETTINGS="$settings" node -e '
const crypto = require("crypto");
const values = JSON.parse(require("fs").readFileSync(process.env.SETTINGS, "utf8")).Values;
const key = "serverless-backend-local-development-signing-key-not-a-secret";
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
const now = Math.floor(Date.now() / 1000);
const audience = (process.env.Auth__Audiences || values.Auth__Audiences).split(",")[0].trim();
const claims = { iss: process.env.Auth__Authority || values.Auth__Authority, aud: audience, sub: process.env.USER_ID, oid: process.env.USER_ID,
  tid: process.env.TENANT, scp: "access_as_user", ver: "2.0", email: `${process.env.USER_ID}@example.test`, iat: now, nbf: now, exp: now + 3600 };
if (process.env.ROLE) claims.roles = [process.env.ROLE];
const unsigned = `${b64({ alg: "HS256", typ: "JWT", kid: "development" })}.${b64(claims)}`;
console.log(`${unsigned}.${crypto.createHmac("sha256", key).update(unsigned).digest("base64url")}`);
'
