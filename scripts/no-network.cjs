// A preload (`node --require ./scripts/no-network.cjs ...`, or NODE_OPTIONS="--require ...") that makes every
// outbound connection fail and records the attempt, so a test can prove that BioNER never uses the network.
//
// Blocked: net.connect / net.createConnection / net.Socket#connect (TCP and local sockets), tls.connect,
// http(s).request / get, http2.connect, dgram sockets, dns.lookup / resolve* (callback and promise APIs), fetch and
// WebSocket. Each attempt throws and is appended, one JSON line, to the file named by BIONER_NET_LOG (synchronously,
// so a process killed right after still leaves its record). Pipes the process was given (stdio, worker ports,
// child-process pipes) never call connect and keep working.
'use strict';
const fs = require('node:fs');
const { threadId } = require('node:worker_threads');

const logFile = process.env.BIONER_NET_LOG;

function blocked(api, detail) {
  const record = { api, detail: describe(detail), pid: process.pid, threadId, argv: process.argv.slice(1, 3) };
  if (logFile) {
    try {
      fs.appendFileSync(logFile, JSON.stringify(record) + '\n');
    } catch {
      // the log is best effort; the call still fails below
    }
  }
  const error = new Error(`network access blocked by no-network.cjs: ${api} ${record.detail}`);
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
  const replacement = function (...args) {
    return blocked(api, args[0]);
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
  globalThis.fetch = function fetch(input) {
    try {
      return blocked('fetch', input);
    } catch (error) {
      return Promise.reject(error);
    }
  };
}
if (typeof globalThis.WebSocket === 'function') {
  globalThis.WebSocket = function WebSocket(url) {
    blocked('WebSocket', url);
  };
}
if (typeof globalThis.EventSource === 'function') {
  globalThis.EventSource = function EventSource(url) {
    blocked('EventSource', url);
  };
}
