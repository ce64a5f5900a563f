#!/usr/bin/env node
// Starts @vercel/cosmosdb-server (same arguments as its CLI, plus --serve-query-plans below) with fixes that make it answer as Cosmos DB
// does: a point read of a document that does not exist is a 404 (1.0.1 crashes and answers 500), ETags
// are quoted entity tags (1.0.1 issues bare UUIDs), GET /_explorer/emulator.pem answers as on the emulator, a
// conditional patch evaluates its filter predicate as written on the one document it patches (1.0.1 lower-cases
// the whole predicate, so `c.availableStock` never matches, and runs it as a query over the whole collection, so
// another partition's document can satisfy it), and a patch that writes below a missing parent is a 400 (1.0.1
// writes it at the top level instead), and requests are refused unless signed with the emulator's key, as the
// emulator refuses them (1.0.1 checks no authorization).
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

// Transactional batch as the .NET SDK sends it (TransactionalBatch.ExecuteAsync): 1.0.1 reads only the JSON body the
// JavaScript SDK sends. The .NET body is a HybridRow RecordIO stream (a segment, then one record per operation, each a
// BatchOperation row of the SDK's HybridRowBatchSchemas.json), and so is the answer (BatchResult rows). As Cosmos DB
// does it: the operations run in order, on one logical partition (the header's key; a document whose own key differs
// is a 400), all or nothing: the first failure (a 404, a 409, the 412 of a stale If-Match or an unmet patch filter,
// a 400) undoes what the earlier operations wrote and the answer is a 207 with that operation's status and 424 for
// every other; more than 100 operations is a 400. Not reproduced (a 400 here rather than silently ignored):
// If-None-Match, a per-operation time to live or indexing directive inside a batch.
const batchDocuments = require("@vercel/cosmosdb-server/lib/handler/batch-documents");
const documentOperations = require("@vercel/cosmosdb-server/lib/handler/_document-operations");
const rawBody = require("raw-body");
const trueHeader = require("@vercel/cosmosdb-server/lib/true-header").default;
const HybridRow = { version: 0x81, segment: 2147473648, record: 2147473649, operation: 2145473648, result: 2145473649 };
const OperationType = { create: 0, patch: 1, read: 2, delete: 4, replace: 5, upsert: 20 };
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = bytes => {
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const readVarUInt = (buffer, at) => {
  let value = 0;
  let shift = 0;
  for (;;) {
    const b = buffer[at.offset];
    at.offset += 1;
    value += (b & 0x7f) * 2 ** shift;
    if (!(b & 0x80)) return value;
    shift += 7;
  }
};
const varUInt = value => {
  const bytes = [];
  do {
    bytes.push((value & 0x7f) | (value >= 0x80 ? 0x80 : 0));
    value = Math.floor(value / 128);
  } while (value > 0);
  return Buffer.from(bytes);
};
// One BatchOperation row: bits 0-6 of the presence mask are operationType, resourceType (fixed int32), partitionKey,
// effectivePartitionKey, id, binaryId, resourceBody (variable, length-prefixed); then sparse fields (type code, path
// token, value) to the end of the row. Path tokens number the schema's properties from 1.
const sparseNames = { 8: "indexingDirective", 9: "ifMatch", 10: "ifNoneMatch", 11: "timeToLiveInSeconds", 12: "minimalReturnPreference" };
const readOperation = row => {
  if (row[0] !== HybridRow.version || row.readInt32LE(1) !== HybridRow.operation) throw new Error("not a BatchOperation row");
  const mask = row[5];
  const op = { operationType: row.readInt32LE(6), resourceType: row.readInt32LE(10) };
  const at = { offset: 14 };
  ["partitionKey", "effectivePartitionKey", "id", "binaryId", "resourceBody"].forEach((name, i) => {
    if (mask & (1 << (i + 2))) {
      const length = readVarUInt(row, at);
      op[name] = row.subarray(at.offset, at.offset + length);
      at.offset += length;
    }
  });
  while (at.offset < row.length) {
    const code = row[at.offset];
    at.offset += 1;
    const name = sparseNames[readVarUInt(row, at)];
    if (!name) throw new Error("unknown sparse path");
    if (code === 20) {
      const length = readVarUInt(row, at);
      op[name] = row.subarray(at.offset, at.offset + length).toString("utf8");
      at.offset += length;
    } else if (code === 7) {
      op[name] = row.readInt32LE(at.offset);
      at.offset += 4;
    } else if (code === 2 || code === 3) {
      op[name] = code === 3;
    } else {
      throw new Error(`unknown sparse type code ${code}`);
    }
  }
  return op;
};
const readRecords = body => {
  const rows = [];
  let offset = 0;
  while (offset < body.length) {
    if (body[offset] !== HybridRow.version) throw new Error("not a HybridRow");
    const schema = body.readInt32LE(offset + 1);
    if (schema === HybridRow.segment) {
      offset += body.readInt32LE(offset + 6);
    } else if (schema === HybridRow.record) {
      const length = body.readInt32LE(offset + 5);
      const crc = body.readUInt32LE(offset + 9);
      const row = body.subarray(offset + 13, offset + 13 + length);
      if (row.length !== length || crc32(row) !== crc) throw new Error("record length or CRC mismatch");
      rows.push(row);
      offset += 13 + length;
    } else {
      throw new Error(`unexpected schema ${schema}`);
    }
  }
  return rows;
};
// One BatchResult row: statusCode, subStatusCode (fixed), eTag, resourceBody (variable), requestCharge (sparse float64, token 6).
const resultRow = ({ statusCode, eTag, resourceBody, requestCharge }) => {
  const fixed = Buffer.alloc(14);
  fixed[0] = HybridRow.version;
  fixed.writeInt32LE(HybridRow.result, 1);
  fixed[5] = 0x03 | (eTag ? 0x04 : 0) | (resourceBody ? 0x08 : 0);
  fixed.writeInt32LE(statusCode, 6);
  fixed.writeInt32LE(0, 10);
  const parts = [fixed];
  for (const value of [eTag, resourceBody]) {
    if (value) {
      const bytes = Buffer.from(value);
      parts.push(varUInt(bytes.length), bytes);
    }
  }
  const charge = Buffer.alloc(10);
  charge[0] = 16;
  charge[1] = 6;
  charge.writeDoubleLE(requestCharge, 2);
  parts.push(charge);
  return Buffer.concat(parts);
};
const recordIO = rows => {
  const segment = Buffer.alloc(10);
  segment[0] = HybridRow.version;
  segment.writeInt32LE(HybridRow.segment, 1);
  segment[5] = 0x01;
  segment.writeInt32LE(10, 6);
  const parts = [segment];
  for (const row of rows) {
    const header = Buffer.alloc(13);
    header[0] = HybridRow.version;
    header.writeInt32LE(HybridRow.record, 1);
    header.writeInt32LE(row.length, 5);
    header.writeUInt32LE(crc32(row), 9);
    parts.push(header, row);
  }
  return Buffer.concat(parts);
};
const badRequest = message => ({ statusCode: 400, body: { code: "BadRequest", message } });
const runOperation = (collection, partitionKey, op) => {
  if (op.ifNoneMatch !== undefined || op.timeToLiveInSeconds !== undefined || op.indexingDirective !== undefined) {
    return badRequest("If-None-Match, a time to live or an indexing directive inside a batch: not reproduced by this stand-in.");
  }
  const body = op.resourceBody ? JSON.parse(op.resourceBody.toString("utf8")) : undefined;
  const id = op.id ? op.id.toString("utf8") : undefined;
  const headerKey = parsePartitionKey(partitionKey, undefined);
  if (body && [OperationType.create, OperationType.upsert, OperationType.replace].includes(op.operationType)) {
    if (collection.documents._getPartition(body) !== headerKey) {
      return badRequest("PartitionKey extracted from document doesn't match the one specified in the header.");
    }
    if (op.operationType === OperationType.replace && body.id !== id) {
      return badRequest("The id in the body differs from the id of the operation.");
    }
  }
  const input = { id, partitionKey, ifMatch: op.ifMatch, resourceBody: body };
  switch (op.operationType) {
    case OperationType.create: return documentOperations.createOperation(collection, input);
    case OperationType.upsert: return documentOperations.upsertOperation(collection, input);
    case OperationType.replace: return documentOperations.replaceOperation(collection, input);
    case OperationType.read: return documentOperations.readOperation(collection, input);
    case OperationType.delete: return documentOperations.deleteOperation(collection, input);
    case OperationType.patch:
      return patchOperations.patchOperation(collection, { ...input, operations: body && body.operations, condition: body && body.condition, resourceBody: undefined });
    default: return badRequest(`Operation type ${op.operationType} is not supported in a batch.`);
  }
};
batchDocuments.default = async (account, req, res, params) => {
  const body = await rawBody(req);
  if (body[0] !== HybridRow.version) {
    res.statusCode = 400; // the JavaScript SDK's JSON batch body: no test sends it
    return { code: "BadRequest", message: "This stand-in serves the .NET SDK's HybridRow batch body only." };
  }
  const collection = account.database(params.dbId).collection(params.collId);
  if (!collection.read()) {
    res.statusCode = 404;
    return { code: "NotFound", message: "Resource Not Found" };
  }
  let operations;
  try {
    operations = readRecords(body).map(readOperation);
  } catch (err) {
    res.statusCode = 400;
    return { code: "BadRequest", message: `Invalid batch request body: ${err.message}` };
  }
  const partitionKey = req.headers["x-ms-documentdb-partitionkey"];
  if (!trueHeader(req, "x-ms-cosmos-batch-atomic") || !partitionKey || operations.length === 0 || operations.length > 100) {
    res.statusCode = 400;
    return { code: "BadRequest", message: "A transactional batch is atomic, names one partition key and holds 1 to 100 operations." };
  }
  // All or nothing: the container's state before the batch, put back when an operation fails. The server is single
  // threaded and this runs in one synchronous step, so no other request sees the intermediate state.
  const documents = collection.documents;
  const before = { data: new Map(documents._data), index: new Map(documents._index), ridCount: documents._ridCount };
  const results = [];
  let failed = -1;
  for (let i = 0; i < operations.length && failed < 0; i += 1) {
    const result = runOperation(collection, partitionKey, operations[i]);
    results.push(result);
    if (result.statusCode >= 400) failed = i;
  }
  let rows;
  if (failed >= 0) {
    documents._data = before.data;
    documents._index = before.index;
    documents._ridCount = before.ridCount;
    res.statusCode = 207;
    rows = operations.map((_, i) => resultRow({ statusCode: i === failed ? results[i].statusCode : 424, requestCharge: i === failed ? 1 : 0 }));
  } else {
    res.statusCode = 200;
    rows = results.map((result, i) => resultRow({
      statusCode: result.statusCode,
      eTag: result.body && result.body._etag,
      resourceBody: result.body && result.body.id && !operations[i].minimalReturnPreference ? JSON.stringify(result.body) : undefined,
      requestCharge: 1,
    }));
  }
  const payload = recordIO(rows);
  const end = res.end.bind(res);
  res.end = () => end(payload); // the server's own writer would send JSON
  return {};
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

// Master-key authorization, checked as the emulator checks it (its one well-known key): every request but the readiness
// URL carries `type=master&ver=1.0&sig=<base64 HMAC-SHA256>` over verb, resource type, resource link and x-ms-date
// (https://learn.microsoft.com/rest/api/cosmos-db/access-control-on-cosmosdb-resources), else 401 as Cosmos answers
// it. 1.0.1 reads no header at all, so a client that signs wrongly (the app's REST bootstrap included) would pass here.
const crypto = require("crypto");
const emulatorKey = Buffer.from("C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==", "base64");
const unauthorized = req => {
  const path = decodeURIComponent(req.url.split("?")[0]).replace(/^\/+|\/+$/g, "");
  const segments = path === "" ? [] : path.split("/");
  // An odd number of segments names a feed (its type is the last one), an even number a resource (type before its id).
  const [type, link] = segments.length % 2 === 1
    ? [segments[segments.length - 1], segments.slice(0, -1).join("/")]
    : [segments.length ? segments[segments.length - 2] : "", path];
  const date = req.headers["x-ms-date"] || req.headers.date || "";
  let header;
  try {
    // Split by hand: URLSearchParams would read the signature's base64 '+' as a space.
    header = new Map(decodeURIComponent(String(req.headers.authorization || "")).split("&").map(p => [p.slice(0, p.indexOf("=")), p.slice(p.indexOf("=") + 1)]));
  } catch {
    return "The authorization header is not URL-encoded.";
  }
  if (header.get("type") !== "master" || header.get("ver") !== "1.0" || !header.get("sig")) {
    return "The input authorization token can't serve the request: master-key authorization expected.";
  }
  if (!date) {
    return "The x-ms-date header is required.";
  }
  // Addressed by name, the link is the path; by resource id (as the SDK reads partition key ranges), the last id, lower-cased.
  const ids = segments.filter((_, i) => i % 2 === 1);
  const byRid = ids.length > 0 && ids.every(id => /^[A-Za-z0-9+/=-]+$/.test(id) && id.length % 4 === 0) ? ids[ids.length - 1].toLowerCase() : null;
  const payload = resourceLink => `${req.method.toLowerCase()}\n${type.toLowerCase()}\n${resourceLink}\n${date.toLowerCase()}\n\n`;
  const given = Buffer.from(header.get("sig"));
  const signs = resourceLink => {
    const expected = Buffer.from(crypto.createHmac("sha256", emulatorKey).update(payload(resourceLink)).digest("base64"));
    return given.length === expected.length && crypto.timingSafeEqual(given, expected);
  };
  return signs(link) || (byRid !== null && signs(byRid)) ? null
    : `The input authorization token can't serve the request. The wrong key is being used or the expected payload is not built as per the protocol. Server used the following payload to sign: '${payload(link)}'`;
};

// The emulator's readiness URL, which functions/run-local.sh waits on: this server answers it with its certificate, as the
// Cosmos DB emulator does, once it listens.
const https = require("https");
const createServer = https.createServer;
https.createServer = (options, listener) => createServer(options, (req, res) => {
  if (req.method === "GET" && req.url === "/_explorer/emulator.pem") {
    return res.end(options.cert);
  }
  const refusal = unauthorized(req);
  if (refusal) {
    res.statusCode = 401;
    res.setHeader("content-type", "application/json");
    return res.end(JSON.stringify({ code: "Unauthorized", message: refusal }));
  }
  return listener(req, res);
});

// Loaded after the patches: the route table captures the handler when it loads.
require("@vercel/cosmosdb-server/lib/cli");
