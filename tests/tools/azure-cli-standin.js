// Stand-ins for the Azure CLI (`az`) and the Azure Developer CLI (`azd`), for the tests of infra/hooks: what the hooks
// call, answered as the real CLIs answer, over a state file (AZ_STANDIN_STATE) that a test seeds and reads back.
// Every call is recorded (calls.jsonl beside the state). Objects have Microsoft Graph's shapes (application,
// servicePrincipal, appRoleAssignment), --query is evaluated with JMESPath as az does, -o tsv/json/none formats as az
// does (tsv: a scalar's text, null as an empty line, one line per array item, an object's values tab-separated).
// Strict like the real services where the hooks could go wrong: an unknown command or option fails; Graph refuses a
// PATCH that removes an enabled app role or changes its id, and a duplicate app role assignment; a scope must exist
// before it is pre-authorized; az ad app credential reset without --append removes the other secrets; a missing resource is
// az's error and exit code 3. Not modelled: paging, consent, propagation delays, throttling.
"use strict";
const fs = require("fs");
const path = require("path");
const crypto = require("crypto");
const jmespath = require("jmespath");

const [tool, ...args] = process.argv.slice(2);
const statePath = process.env.AZ_STANDIN_STATE;
const state = JSON.parse(fs.readFileSync(statePath, "utf8"));
state.applications ??= []; state.servicePrincipals ??= []; state.appRoleAssignments ??= [];
state.vaults ??= {}; state.azdEnv ??= {}; state.restarts ??= [];
fs.appendFileSync(path.join(path.dirname(statePath), "calls.jsonl"), JSON.stringify([tool, ...args]) + "\n");

const save = () => fs.writeFileSync(statePath, JSON.stringify(state, null, 2));
const fail = (message, code = 1) => { process.stderr.write(`ERROR: ${message}\n`); process.exit(code); };
const uuid = () => crypto.randomUUID();

function options(list, known) {
  const positional = []; const named = {};
  for (let i = 0; i < list.length; i++) {
    const a = list[i];
    if (a === "--append") { named.append = true; continue; }
    if (a.startsWith("-")) {
      const name = a.replace(/^--?/, "");
      if (!known.includes(name)) fail(`unrecognized arguments: ${a}`, 2);
      named[name] = list[++i];
    } else positional.push(a);
  }
  return { positional, named };
}

function output(result, named) {
  let value = named.query ? jmespath.search(result, named.query) : result;
  const format = named.o ?? named.output ?? "json";
  if (format === "none") return;
  if (format === "json") { process.stdout.write(JSON.stringify(value, null, 2) + "\n"); return; }
  const line = (v) => v === null || v === undefined ? "" : typeof v === "object" ? Object.values(v).map((x) => (typeof x === "object" ? JSON.stringify(x) : String(x))).join("\t") : String(v);
  const lines = Array.isArray(value) ? value.map(line) : [line(value)];
  process.stdout.write(lines.join("\n") + "\n");
}

const COMMON = ["query", "o", "output", "only-show-errors"];
const appById = (id) => state.applications.find((a) => a.appId === id || a.id === id || (a.identifierUris ?? []).includes(id));
const notFound = (id) => fail(`Resource '${id}' does not exist or one of its queried reference-property objects are not present.`, 3);

function az() {
  const command = [];
  while (args.length && !args[0].startsWith("-")) command.push(args.shift());
  const key = command.join(" ");
  switch (key) {
    case "ad signed-in-user show": {
      const { named } = options(args, COMMON);
      if (!state.user) fail("/me request is only valid with delegated authentication flow.");
      return output(state.user, named);
    }
    case "ad app list": {
      const { named } = options(args, [...COMMON, "display-name"]);
      return output(state.applications.filter((a) => named["display-name"] === undefined || a.displayName === named["display-name"]), named);
    }
    case "ad app create": {
      const { named } = options(args, [...COMMON, "display-name", "sign-in-audience"]);
      const app = { id: uuid(), appId: uuid(), displayName: named["display-name"], signInAudience: named["sign-in-audience"] ?? "AzureADMyOrg",
        identifierUris: [], appRoles: [], api: { requestedAccessTokenVersion: null, oauth2PermissionScopes: [], preAuthorizedApplications: [] },
        optionalClaims: null, passwordCredentials: [] };
      state.applications.push(app); save();
      return output(app, named);
    }
    case "ad app show": {
      const { named } = options(args, [...COMMON, "id"]);
      const app = appById(named.id) ?? notFound(named.id);
      return output(app, named);
    }
    case "ad app credential reset": {
      const { named } = options(args, [...COMMON, "id", "display-name", "years"]);
      const app = appById(named.id) ?? notFound(named.id);
      const password = crypto.randomBytes(30).toString("base64url");
      const credential = { keyId: uuid(), displayName: named["display-name"] ?? null, hint: password.slice(0, 3) };
      app.passwordCredentials = named.append ? [...app.passwordCredentials, credential] : [credential];
      (state.issuedPasswords ??= []).push(password); save();
      return output({ appId: app.appId, password, tenant: state.tenantId }, named);
    }
    case "ad sp show": {
      const { named } = options(args, [...COMMON, "id"]);
      return output(state.servicePrincipals.find((s) => s.appId === named.id || s.id === named.id) ?? notFound(named.id), named);
    }
    case "ad sp create": {
      const { named } = options(args, [...COMMON, "id"]);
      const app = appById(named.id) ?? notFound(named.id);
      if (state.servicePrincipals.some((s) => s.appId === app.appId)) fail("Another object with the same value for property servicePrincipalNames already exists.", 1);
      const sp = { id: uuid(), appId: app.appId, displayName: app.displayName, servicePrincipalType: "Application" };
      state.servicePrincipals.push(sp); save();
      return output(sp, named);
    }
    case "rest": return rest(options(args, [...COMMON, "method", "m", "uri", "u", "url", "headers", "body", "b"]).named);
    case "keyvault secret show": {
      const { named } = options(args, [...COMMON, "vault-name", "name"]);
      const secret = state.vaults[named["vault-name"]]?.[named.name];
      if (secret === undefined) fail(`(SecretNotFound) A secret with (name/id) ${named.name} was not found in this key vault.`, 3);
      return output({ id: `https://${named["vault-name"]}.vault.azure.net/secrets/${named.name}/1`, value: secret }, named);
    }
    case "keyvault secret set": {
      const { named } = options(args, [...COMMON, "vault-name", "name", "value", "file", "encoding"]);
      const value = named.file !== undefined ? fs.readFileSync(named.file, "utf8") : named.value;
      (state.vaults[named["vault-name"]] ??= {})[named.name] = value; save();
      return output({ id: `https://${named["vault-name"]}.vault.azure.net/secrets/${named.name}/1` }, named);
    }
    case "functionapp restart": {
      const { named } = options(args, [...COMMON, "name", "n", "resource-group", "g"]);
      state.restarts.push(named.name ?? named.n); save();
      return;
    }
    default: fail(`'${key}' is not in the az stand-in.`, 2);
  }
}

function rest(named) {
  const method = (named.method ?? named.m ?? "get").toUpperCase();
  const uri = named.uri ?? named.u ?? named.url;
  const body = named.body ?? named.b;
  const payload = body === undefined ? undefined : JSON.parse(body.startsWith("@") ? fs.readFileSync(body.slice(1), "utf8") : body);
  const graph = "https://graph.microsoft.com/v1.0/";
  if (!uri.startsWith(graph)) fail(`The stand-in answers Microsoft Graph v1.0 only, not ${uri}.`, 2);
  const parts = uri.slice(graph.length).split("/");
  const graphError = (code, message) => fail(`Bad Request({"error":{"code":"${code}","message":"${message}"}})`, 1);
  if (parts[0] === "applications" && parts.length === 2 && method === "PATCH") {
    const app = state.applications.find((a) => a.id === parts[1]) ?? fail(`Not Found({"error":{"code":"Request_ResourceNotFound"}})`, 3);
    const next = { ...app, ...payload };
    for (const role of app.appRoles.filter((r) => r.isEnabled)) {
      const same = next.appRoles.find((r) => r.value === role.value);
      if (!next.appRoles.some((r) => r.id === role.id)) graphError("CannotDeleteOrUpdateEnabledEntitlement", `Property appRoles.${role.value} is invalid: an enabled role cannot be deleted or have its id changed.`);
      if (same && same.id !== role.id) graphError("CannotDeleteOrUpdateEnabledEntitlement", "An app role's id cannot change.");
    }
    const scopes = new Set((next.api?.oauth2PermissionScopes ?? []).map((s) => s.id));
    const before = new Set((app.api?.oauth2PermissionScopes ?? []).map((s) => s.id));
    for (const pre of next.api?.preAuthorizedApplications ?? []) {
      for (const id of pre.delegatedPermissionIds) {
        // Stricter than Graph may be: a scope must exist before a request pre-authorizes it (the hook adds it first).
        if (!scopes.has(id) || !before.has(id)) graphError("InvalidValue", `Property api.preAuthorizedApplications references a permission ${id} the application does not expose.`);
      }
    }
    Object.assign(app, next); save();
    return;
  }
  if (parts[0] === "servicePrincipals" && parts[2] === "appRoleAssignedTo") {
    const sp = state.servicePrincipals.find((s) => s.id === parts[1]) ?? fail(`Not Found({"error":{"code":"Request_ResourceNotFound"}})`, 3);
    if (method === "GET") return output({ "@odata.context": "...", value: state.appRoleAssignments.filter((a) => a.resourceId === sp.id) }, named);
    if (method === "POST") {
      if (state.appRoleAssignments.some((a) => a.resourceId === sp.id && a.principalId === payload.principalId && a.appRoleId === payload.appRoleId)) {
        graphError("Request_BadRequest", "Permission being assigned already exists on the object");
      }
      const assignment = { id: crypto.randomBytes(16).toString("base64url"), ...payload, principalType: "User", resourceDisplayName: sp.displayName };
      state.appRoleAssignments.push(assignment); save();
      return output(assignment, named);
    }
  }
  fail(`${method} ${uri} is not in the stand-in.`, 2);
}

function azd() {
  if (args[0] !== "env") fail(`azd ${args.join(" ")} is not in the stand-in.`, 2);
  const [, verb, name, value] = args;
  switch (verb) {
    case "get-value":
      if (!(name in state.azdEnv)) fail(`key '${name}' not found in the environment values`);
      process.stdout.write(state.azdEnv[name] + "\n"); return;
    case "set":
      if (value === undefined) fail("accepts 2 arg(s)", 1);
      state.azdEnv[name] = value; save(); return;
    case "get-values":
      process.stdout.write(Object.entries(state.azdEnv).map(([k, v]) => `${k}="${v}"`).join("\n") + "\n"); return;
    default: fail(`azd env ${verb} is not in the stand-in.`, 2);
  }
}

tool === "azd" ? azd() : az();
