#!/usr/bin/env node
// Starts @vercel/cosmosdb-server (same arguments as its CLI, plus --serve-query-plans below) with fixes that make it answer as Cosmos DB
// does: a point read of a document that does not exist is a 404 (1.0.1 crashes and answers 500), ETags
// are quoted entity tags (1.0.1 issues bare UUIDs), GET /_explorer/emulator.pem answers as on the emulator, a
// conditional patch evaluates its filter predicate as written on the one document it patches (1.0.1 lower-cases
// the whole predicate, so `c.availableStock` never matches, and runs it as a query over the whole collection, so
// another partition's document can satisfy it), and a patch that writes below a missing parent is a 400 (1.0.1
// writes it at the top level instead).
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

// Patch, two fixes. A conditional patch ("from c where ..." in the body's `condition`) evaluates the predicate as
// written (property names are case-sensitive, string literals keep their case) with the server's own query engine
// against the one document named by id and partition key: not satisfied is a 412, a predicate that does not parse a
// 400. And an operation that writes below a parent the document lacks is a 400, as Cosmos answers it (1.0.1 writes
// `set /a/b` as a top-level `b` when `a` is missing). The checks and the write run in one synchronous step, so no
// other request interleaves: the atomicity Cosmos gives a patch.
const patchOperations = require("@vercel/cosmosdb-server/lib/handler/_patch-operations");
const { parsePartitionKey } = require("@vercel/cosmosdb-server/lib/utils/get-partition-from-header");
const query = require("@zeit/cosmosdb-query").default;
const upstreamPatch = patchOperations.patchOperation;
const segmentsOf = path => path.slice(1).split("/").map(s => s.replace(/~1/g, "/").replace(/~0/g, "~"));
const isNode = value => typeof value === "object" && value !== null;
const at = (document, segments) => segments.reduce((node, segment) => (isNode(node) ? node[Array.isArray(node) ? Number(segment) : segment] : undefined), document);
// The index of the first operation whose parent neither the document nor an earlier operation of the patch holds.
const missingParent = (document, operations) => {
  const written = [];
  for (let i = 0; i < operations.length; i += 1) {
    const { op, path } = operations[i];
    if (["set", "add", "incr", "move"].includes(op) && typeof path === "string" && path.startsWith("/")) {
      const parent = path.slice(0, path.lastIndexOf("/"));
      const byEarlier = written.some(w => parent === w || parent.startsWith(`${w}/`));
      if (parent !== "" && !byEarlier && !isNode(at(document, segmentsOf(parent)))) {
        return i;
      }
      written.push(path);
    }
  }
  return -1;
};
// Compiling a predicate costs the query engine tens of milliseconds, and every reservation's predicate names its own
// order: string literals become bound parameters (same values, same semantics), so each predicate shape compiles once.
const compiledPredicates = new Map();
const compilePredicate = condition => {
  const parameters = [];
  const text = condition.replace(/"(?:[^"\\]|\\.)*"/g, literal => {
    let value;
    try {
      value = JSON.parse(literal);
    } catch {
      return literal; // an escape JSON does not know: left to the query engine as written
    }
    parameters.push({ name: `@literal${parameters.length}`, value });
    return parameters[parameters.length - 1].name;
  });
  let compiled = compiledPredicates.get(text);
  if (!compiled) {
    compiled = query(`SELECT VALUE 1 ${text}`);
    if (compiledPredicates.size >= 1000) {
      compiledPredicates.clear();
    }
    compiledPredicates.set(text, compiled);
  }
  return { compiled, parameters };
};
patchOperations.patchOperation = (collection, input) => {
  const data = collection.document(input.id, parsePartitionKey(input.partitionKey, input.id)).read();
  const plain = { ...input, condition: undefined };
  if (!data || (input.ifMatch && input.ifMatch !== data._etag)) {
    return upstreamPatch(collection, plain); // the 404 or the If-Match 412, as upstream answers them
  }
  if (input.condition) {
    let satisfied;
    try {
      if (!/^\s*from\s/i.test(input.condition)) {
        throw new Error("a filter predicate is a FROM clause");
      }
      const { compiled, parameters } = compilePredicate(input.condition);
      satisfied = compiled.exec([data], { parameters }).result.length > 0;
    } catch (err) {
      return { statusCode: 400, body: { code: "BadRequest", message: `Invalid filter predicate in patch request: ${err.message}` } };
    }
    if (!satisfied) {
      return {
        statusCode: 412,
        body: { code: "PreconditionFailed", message: "Operation cannot be performed because one of the specified precondition is not met." },
      };
    }
  }
  const missing = Array.isArray(input.operations) ? missingParent(data, input.operations) : -1;
  if (missing >= 0) {
    return {
      statusCode: 400,
      body: {
        code: "BadRequest",
        message: `For Operation(${missing}): Add Operation can only create a child object of an existing node (array or object) and can't create path recursively.`,
      },
    };
  }
  return upstreamPatch(collection, plain);
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
