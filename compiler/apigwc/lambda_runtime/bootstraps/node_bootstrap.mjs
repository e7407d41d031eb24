// apigwc's Lambda runtime client for Node.js: the loop the Lambda Node.js runtime runs.
//
// Started by apigwc with the machine's `node`, in the function's code folder, with Lambda's
// environment and AWS_LAMBDA_RUNTIME_API.  It loads _HANDLER (`file.export`, `dir/file.export`,
// nested `file.a.b`) from CommonJS (.js, .cjs) or ES modules (.mjs, or .js under a package.json
// with "type": "module"), then loops: GET .../invocation/next, call the handler (async, a promise,
// or the callback style), POST the result or the error.  Errors and init errors are worded like
// the Node.js runtime's [Obs].  Built-in modules only.
import net from "node:net";
import fs from "node:fs";
import path from "node:path";
import util from "node:util";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const [HOST, PORT] = process.env.AWS_LAMBDA_RUNTIME_API.split(":");
const PREFIX = "/2018-06-01/runtime";

// One keep-alive HTTP/1.1 connection to the Runtime API on a raw socket, one request at a
// time: node:http's client costs several times the rest of an invocation.
let socket = null;
let pending = Buffer.alloc(0);
let waiting = null;

function connect() {
  socket = net.createConnection({ host: HOST, port: Number(PORT) });
  socket.setNoDelay(true);
  socket.on("data", (data) => {
    pending = pending.length ? Buffer.concat([pending, data]) : data;
    parse();
  });
  const gone = () => process.exit(0); // the Runtime API is gone: apigwc stopped this worker
  socket.on("error", gone);
  socket.on("close", gone);
}

function parse() {
  if (!waiting) return;
  const end = pending.indexOf("\r\n\r\n");
  if (end < 0) return;
  const lines = pending.subarray(0, end).toString("latin1").split("\r\n");
  const headers = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers["content-length"] || 0);
  if (pending.length < end + 4 + length) return;
  const body = pending.subarray(end + 4, end + 4 + length);
  pending = pending.subarray(end + 4 + length);
  const resolve = waiting;
  waiting = null;
  resolve({ status: Number(lines[0].split(" ")[1]), headers: headers, body: Buffer.from(body) });
}

function call(method, urlPath, body, headers) {
  if (!socket) connect();
  const data = body === undefined ? Buffer.alloc(0) : Buffer.from(body);
  let head = `${method} ${PREFIX}${urlPath} HTTP/1.1\r\nHost: ${HOST}\r\nContent-Length: ${data.length}\r\n`;
  for (const [name, value] of Object.entries(headers || {})) head += `${name}: ${value}\r\n`;
  return new Promise((resolve) => {
    waiting = resolve;
    socket.write(Buffer.concat([Buffer.from(head + "\r\n", "utf8"), data]));
  });
}

function errorOf(err) {
  if (err instanceof Error) {
    return { errorType: err.name || "Error", errorMessage: err.message, trace: String(err.stack || "").split("\n") };
  }
  // a thrown or callback'd value that is not an Error: the runtime's wording [Obs]
  let text;
  try { text = typeof err === "string" ? err : JSON.stringify(err); } catch { text = String(err); }
  return { errorType: "Error", errorMessage: text === undefined ? String(err) : text, trace: [] };
}

// console.* as the runtime prints them: time, request id, level, message [Obs]
let currentRequestId = undefined;
function patchConsole() {
  for (const [name, level] of [["log", "INFO"], ["info", "INFO"], ["warn", "WARN"], ["error", "ERROR"], ["debug", "DEBUG"], ["trace", "TRACE"]]) {
    const stream = name === "error" || name === "warn" ? process.stderr : process.stdout;
    console[name] = (...args) => {
      const text = util.format(...args).replace(/\n/g, "\r");
      stream.write(`${new Date().toISOString()}\t${currentRequestId ?? "undefined"}\t${level}\t${text}\n`);
    };
  }
}

function moduleType(dir) {
  // the nearest package.json's "type" decides what a .js file is
  let d = dir;
  for (;;) {
    const p = path.join(d, "package.json");
    if (fs.existsSync(p)) {
      try { return JSON.parse(fs.readFileSync(p, "utf8")).type === "module" ? "module" : "commonjs"; } catch { return "commonjs"; }
    }
    const parent = path.dirname(d);
    if (parent === d) return "commonjs";
    d = parent;
  }
}

class InitError extends Error {
  constructor(errorType, errorMessage, trace) { super(errorMessage); this.info = { errorType, errorMessage, trace: trace || [] }; }
}

async function loadHandler(root, spec) {
  const match = /^([^.]*?\/?[^./]+)\.(.+)$/.exec(spec.replace(/^\.\//, ""));
  if (!match) throw new InitError("Runtime.MalformedHandlerName", "Bad handler");
  const [, modulePath, handlerPath] = match;
  const base = path.resolve(root, modulePath);
  let file;
  for (const ext of [".js", ".mjs", ".cjs"]) {
    if (fs.existsSync(base + ext)) { file = base + ext; break; }
  }
  let mod;
  try {
    if (!file) {
      // as the runtime: require() the bare name, which fails with its own message
      mod = createRequire(path.join(root, "noop.js"))(base);
    } else if (file.endsWith(".mjs") || (file.endsWith(".js") && moduleType(path.dirname(file)) === "module")) {
      mod = await import(pathToFileURL(file).href);
    } else {
      mod = createRequire(file)(file);
    }
  } catch (err) {
    if (err instanceof SyntaxError) {
      throw new InitError("Runtime.UserCodeSyntaxError", `${err.name}: ${err.message}`, String(err.stack || "").split("\n"));
    }
    if (err && (err.code === "MODULE_NOT_FOUND" || err.code === "ERR_MODULE_NOT_FOUND")) {
      throw new InitError("Runtime.ImportModuleError", `Error: ${err.message}`, String(err.stack || "").split("\n"));
    }
    throw new InitError(err && err.name ? err.name : "Error", err && err.message !== undefined ? err.message : String(err), String((err && err.stack) || "").split("\n"));
  }
  let fn = mod;
  for (const part of handlerPath.split(".")) {
    fn = fn == null ? undefined : fn[part];
    if (fn === undefined && mod && mod.default && part === handlerPath.split(".")[0]) fn = mod.default[part];
  }
  if (fn === undefined) throw new InitError("Runtime.HandlerNotFound", `${path.basename(modulePath)}.${handlerPath} is undefined or not exported`);
  if (typeof fn !== "function") throw new InitError("Runtime.HandlerNotFound", `${path.basename(modulePath)}.${handlerPath} is not a function`);
  return fn;
}

function makeContext(headers, finish) {
  const deadline = Number(headers["lambda-runtime-deadline-ms"] || 0);
  const env = process.env;
  const ctx = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
    memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers["lambda-runtime-aws-request-id"],
    logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: headers["lambda-runtime-cognito-identity"] ? JSON.parse(headers["lambda-runtime-cognito-identity"]) : undefined,
    clientContext: headers["lambda-runtime-client-context"] ? JSON.parse(headers["lambda-runtime-client-context"]) : undefined,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: (err, result) => finish(err, result),
    succeed: (result) => finish(null, result),
    fail: (err) => finish(err == null ? new Error("handled") : err),
  };
  return ctx;
}

async function main() {
  patchConsole();
  const root = process.env.LAMBDA_TASK_ROOT || process.cwd();
  let handler;
  try {
    handler = await loadHandler(root, process.env._HANDLER || "");
  } catch (err) {
    const info = err instanceof InitError ? err.info : errorOf(err);
    process.stderr.write(`${new Date().toISOString()}\tundefined\tERROR\tUncaught Exception \t${JSON.stringify(info)}\n`);
    await call("POST", "/init/error", JSON.stringify(info), { "Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": info.errorType });
    process.exit(129);
  }
  for (;;) {
    const next = await call("GET", "/invocation/next");
    const headers = next.headers;
    const requestId = headers["lambda-runtime-aws-request-id"];
    currentRequestId = requestId;
    if (headers["lambda-runtime-trace-id"]) process.env._X_AMZN_TRACE_ID = headers["lambda-runtime-trace-id"];
    else delete process.env._X_AMZN_TRACE_ID;
    const outcome = await new Promise((resolve) => {
      let settled = false;
      const finish = (err, result) => {
        if (settled) return;
        settled = true;
        resolve(err != null ? { err } : { result });
      };
      let event;
      try {
        event = JSON.parse(next.body.toString("utf8"));
      } catch (err) { finish(err); return; }
      const context = makeContext(headers, finish);
      try {
        const value = handler(event, context, finish);
        if (value && typeof value.then === "function") value.then((r) => finish(null, r), (e) => finish(e == null ? new Error("null") : e));
        else if (handler.length < 3 && !settled) finish(null, value);
      } catch (err) { finish(err); }
    });
    if ("err" in outcome) {
      const info = errorOf(outcome.err);
      console.error("Invoke Error \t" + JSON.stringify(info));
      await call("POST", `/invocation/${requestId}/error`, JSON.stringify(info), { "Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": info.errorType });
    } else {
      let body;
      try {
        body = JSON.stringify(outcome.result === undefined ? null : outcome.result);
      } catch (err) {
        const info = { errorType: "Runtime.MarshalError", errorMessage: `Unable to stringify response body: ${err.message}`, trace: [] };
        await call("POST", `/invocation/${requestId}/error`, JSON.stringify(info), { "Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": info.errorType });
        continue;
      }
      await call("POST", `/invocation/${requestId}/response`, body, { "Content-Type": "application/json" });
    }
  }
}

process.on("uncaughtException", (err) => {
  console.error("Uncaught Exception \t" + JSON.stringify(errorOf(err)));
  process.exit(129);
});
process.on("unhandledRejection", (reason) => {
  console.error("Unhandled Promise Rejection \t" + JSON.stringify(errorOf(reason)));
  process.exit(128);
});

main();
