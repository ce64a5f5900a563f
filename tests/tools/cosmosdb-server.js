#!/usr/bin/env node
// Starts @vercel/cosmosdb-server (same arguments as its CLI, plus --serve-query-plans below) with fixes that make it answer as Cosmos DB
// does: a point read of a document that does not exist is a 404 (1.0.1 crashes and answers 500), ETags
// are quoted entity tags (1.0.1 issues bare UUIDs), and GET /_explorer/emulator.pem answers as on the emulator.
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

// --serve-query-plans (functions/run-local.sh only; the tests keep the server's plain behaviour): answer the SDK's query-plan request (it asks the gateway for one on Linux before a
// cross-partition query, or to continue an ORDER BY query) with "no rewriting, one range": the SDK then sends the
// query itself to the server's single partition key range and passes the server's own continuation back.
const plans = process.argv.indexOf("--serve-query-plans");
if (plans >= 0) {
  process.argv.splice(plans, 1);
  const queryDocuments = require("@vercel/cosmosdb-server/lib/handler/query-documents");
  const upstreamQuery = queryDocuments.default;
  queryDocuments.default = (account, req, res, params) => {
    if (String(req.headers["x-ms-cosmos-is-query-plan-request"]).toLowerCase() !== "true") {
      return upstreamQuery(account, req, res, params);
    }
    return {
      partitionedQueryExecutionInfoVersion: 2,
      queryInfo: {
        distinctType: "None", top: null, offset: null, limit: null, orderBy: [], orderByExpressions: [],
        groupByExpressions: [], groupByAliases: [], aggregates: [], groupByAliasToAggregateType: {},
        rewrittenQuery: "", hasSelectValue: false, dCountInfo: null, hasNonStreamingOrderBy: false,
      },
      queryRanges: [{ min: "", max: "FF", isMinInclusive: true, isMaxInclusive: false }],
    };
  };
}

// The emulator's readiness URL, which functions/run-local.sh waits on: this server answers it with its certificate, as the
// Cosmos DB emulator does, once it listens.
const https = require("https");
const createServer = https.createServer;
https.createServer = (options, listener) => createServer(options, (req, res) =>
  req.method === "GET" && req.url === "/_explorer/emulator.pem" ? res.end(options.cert) : listener(req, res));

// Loaded after the patches: the route table captures the handler when it loads.
require("@vercel/cosmosdb-server/lib/cli");
