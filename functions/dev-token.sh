#!/usr/bin/env bash
# Prints a bearer token for calling the app locally (Auth__UseDevelopmentKey=true, Development only).
# Usage: bash functions/dev-token.sh [tenant] [user] [admin]
#   curl -H "Authorization: Bearer $(bash functions/dev-token.sh shop-1 alice)" http://localhost:7071/api/v1/products
# Issuer and audience: Auth__Authority and Auth__Audience from the environment when set, else from local.settings.json.
# The key is the published development key in Shared/Auth/DevelopmentSigningKey.cs: never a secret, never accepted in Azure.
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
const claims = { iss: process.env.Auth__Authority || values.Auth__Authority, aud: process.env.Auth__Audience || values.Auth__Audience, sub: process.env.USER_ID, tid: process.env.TENANT,
  email: `${process.env.USER_ID}@example.test`, iat: now, nbf: now, exp: now + 3600 };
if (process.env.ROLE === "admin") claims.roles = ["admin"];
const unsigned = `${b64({ alg: "HS256", typ: "JWT", kid: "development" })}.${b64(claims)}`;
console.log(`${unsigned}.${crypto.createHmac("sha256", key).update(unsigned).digest("base64url")}`);
'
