#!/usr/bin/env node
// Starts @vercel/cosmosdb-server (same arguments as its CLI, plus --unpaged-order-by below) with two fixes that make it answer as Cosmos DB
// does: a point read of a document that does not exist is a 404 (1.0.1 crashes and answers 500), and ETags
// are quoted entity tags (1.0.1 issues bare UUIDs).
"use strict";
const readDocument = require("@vercel/cosmosdb-server/lib/handler/read-document");
const Items = require("@vercel/cosmosdb-server/lib/account/items").default;

const store = Items.prototype._set;
Items.prototype._set = function set(data) {
  const quoted = typeof data._etag === "string" && !data._etag.startsWith('"') ? { ...data, _etag: `"${data._etag}"` } : data;
  return store.call(this, quoted);
};

const upstream = readDocument.default;
readDocument.default = (account, req, res, params) => {
  try {
    return upstream(account, req, res, params);
  } catch (err) {
    if (err instanceof TypeError) {
      res.statusCode = 404;
      return { code: "NotFound", message: "Entity with the specified id does not exist in the system." };
    }
    throw err;
  }
};

// --unpaged-order-by (functions/run-local.sh only, never the tests): every result of an ORDER BY query on one page.
// The .NET SDK cannot continue an ORDER BY query on this server (it falls back to a query plan the server does not
// serve), so the local run lists everything at once rather than failing when a list is longer than one page.
const unpaged = process.argv.indexOf("--unpaged-order-by");
if (unpaged >= 0) {
  process.argv.splice(unpaged, 1);
  const query = Items.prototype.query;
  Items.prototype.query = function unpagedOrderBy(params, options) {
    return query.call(this, params, /\bORDER\s+BY\b/i.test(params.query) ? { ...options, maxItemCount: null } : options);
  };
}

// Loaded after the patch: the route table captures the handler when it loads.
require("@vercel/cosmosdb-server/lib/cli");
