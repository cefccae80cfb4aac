// A preload (`node --require ./scripts/no-network.cjs ...`, or NODE_OPTIONS="--require ...") that makes every
// outbound connection fail and records the attempt, so a test can prove that BioNER never uses the network.
//
// Blocked: net.connect / net.createConnection / net.Socket#connect (TCP and local sockets), tls.connect,
// http(s).request / get, http2.connect, dgram sockets, dns.lookup / resolve* (callback and promise APIs), fetch and
// WebSocket. Each attempt throws and is appended, one JSON line, to the file named by BIONER_NET_LOG (synchronously,
// so a process killed right after still leaves its record). Pipes the process was given (stdio, worker ports,
// child-process pipes) never call connect and keep working.
//
// Watch mode, for a whole editor (BIONER_NET_BLOCK_ONLY set to a regular expression): only processes whose main
// script matches it are blocked; every other process (the editor itself, its extension host) keeps its network and
// only records each attempt with its JS stack, so a test can tell whether the attempt came from BioNER's code. Each
// process also records that the preload is loaded ({"api":"loaded"}), proving the watch reached it.
'use strict';
const fs = require('node:fs');
const { threadId, isMainThread } = require('node:worker_threads');

const logFile = process.env.BIONER_NET_LOG;
const blockOnly = process.env.BIONER_NET_BLOCK_ONLY ? new RegExp(process.env.BIONER_NET_BLOCK_ONLY) : undefined;
/**
 * In watch mode, a process that is not blocked: its attempts are recorded (with the stack) and then go ahead. A
 * blocked process marks its environment, which its worker threads (whose argv has no script) and children inherit.
 */
const BLOCKED_MARK = 'BIONER_NET_BLOCKED_BY_PARENT';
const watchOnly =
  blockOnly !== undefined && process.env[BLOCKED_MARK] !== '1' && !(isMainThread && blockOnly.test(process.argv[1] ?? ''));
if (blockOnly && !watchOnly) process.env[BLOCKED_MARK] = '1';

function record(entry) {
  if (!logFile) return;
  try {
    fs.appendFileSync(logFile, JSON.stringify({ ...entry, pid: process.pid, threadId, argv: process.argv.slice(1, 3) }) + '\n');
  } catch {
    // the log is best effort; the call still fails below
  }
}

if (blockOnly) record({ api: 'loaded', blocking: !watchOnly });

/** Records an attempt; throws unless this process is only watched (then the original call goes ahead). */
function blocked(api, detail) {
  const text = describe(detail);
  if (watchOnly) {
    record({ api, detail: text, watched: true, stack: new Error().stack });
    return;
  }
  record({ api, detail: text });
  const error = new Error(`network access blocked by no-network.cjs: ${api} ${text}`);
  error.code = 'ENETUNREACH';
  throw error;
}

function describe(value) {
  try {
    if (value === undefined) return '';
    if (typeof value === 'string') return value;
    if (value instanceof URL) return value.href;
    if (typeof value === 'object' && value !== null) {
      const { host, hostname, port, path, href, url } = value;
      return JSON.stringify({ host, hostname, port, path, href, url });
    }
    return String(value);
  } catch {
    return '?';
  }
}

function replace(object, name, api) {
  if (!object || typeof object[name] !== 'function') return;
  const original = object[name];
  const replacement = function (...args) {
    blocked(api, args[0]);
    return original.apply(this, args); // reached only in a watched process
  };
  try {
    Object.defineProperty(object, name, { value: replacement, writable: true, configurable: true });
  } catch {
    // a frozen builtin: nothing to patch
  }
}

const net = require('node:net');
replace(net, 'connect', 'net.connect');
replace(net, 'createConnection', 'net.createConnection');
replace(net.Socket.prototype, 'connect', 'net.Socket#connect');

const tls = require('node:tls');
replace(tls, 'connect', 'tls.connect');

for (const name of ['http', 'https']) {
  const module = require(`node:${name}`);
  replace(module, 'request', `${name}.request`);
  replace(module, 'get', `${name}.get`);
}
replace(require('node:http2'), 'connect', 'http2.connect');
replace(require('node:dgram'), 'createSocket', 'dgram.createSocket');

const dns = require('node:dns');
for (const name of Object.keys(dns)) {
  if (/^(lookup|lookupService|resolve\w*|reverse)$/.test(name)) replace(dns, name, `dns.${name}`);
}
for (const name of Object.keys(dns.promises)) {
  if (/^(lookup|lookupService|resolve\w*|reverse)$/.test(name)) replace(dns.promises, name, `dns.promises.${name}`);
}
replace(dns.Resolver && dns.Resolver.prototype, 'resolve', 'dns.Resolver#resolve');

// fetch fails the way a real network failure does: a rejected promise (after recording the attempt).
if (typeof globalThis.fetch === 'function') {
  const originalFetch = globalThis.fetch;
  globalThis.fetch = function fetch(input, init) {
    try {
      blocked('fetch', input);
    } catch (error) {
      return Promise.reject(error);
    }
    return originalFetch(input, init);
  };
}
for (const name of ['WebSocket', 'EventSource']) {
  const Original = globalThis[name];
  if (typeof Original !== 'function') continue;
  globalThis[name] = function (url, ...rest) {
    blocked(name, url);
    return new Original(url, ...rest);
  };
}
