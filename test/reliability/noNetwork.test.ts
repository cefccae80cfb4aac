// Nothing leaves the machine: tag, train, eval, convert, info and a full language-server session run with every
// outbound connection made to fail (scripts/no-network.cjs preloaded into every process and worker thread; also
// inside an empty network namespace with `unshare -n` when we are root) and succeed with zero recorded attempts.
// A static check makes sure the bundles name no URL other than documentation links.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CodeAction } from 'vscode-languageserver-protocol';
import { LspTestClient } from '../lsp/lspClient';
import { cliPath, lexiconModel, noNetworkPreload, repoRoot, runCli, scratchDir, tinyConll, tinyNeuralModelDir, type CliResult } from './helpers';

let scratch: string;
let netLog: string;
/** An import of a networking module, or a call of fetch / WebSocket / XMLHttpRequest. */
const NETWORK_USE = /from ['"](node:)?(http|https|http2|net|tls|dns|dgram)['"]|require\(['"](node:)?(http|https|http2|net|tls|dns|dgram)['"]\)|\bfetch\(|new WebSocket\(|XMLHttpRequest/;
const attempts = (): string[] => (existsSync(netLog) ? readFileSync(netLog, 'utf8').trim().split('\n').filter(Boolean) : []);

/** `unshare -n` works only as root (or with user namespaces); probed once. */
const canUnshare = spawnSync('unshare', ['-n', 'true']).status === 0;

/** Runs the CLI with the preload, and inside an empty network namespace when possible. */
function offline(args: string[]): CliResult {
  const env = { ...process.env, NODE_OPTIONS: `--require ${noNetworkPreload}`, BIONER_NET_LOG: netLog };
  if (!canUnshare) return runCli(args, { env });
  const run = spawnSync('unshare', ['-n', process.execPath, cliPath, ...args], { env, encoding: 'utf8', timeout: 120_000 });
  return { code: run.status, signal: run.signal, stdout: run.stdout, stderr: run.stderr };
}

before(() => {
  scratch = scratchDir('offline');
  netLog = join(scratch, 'network-attempts.jsonl');
});

describe('no network', () => {
  it('the preload really blocks and records (so zero attempts below means something)', () => {
    const probe = spawnSync(
      process.execPath,
      ['--require', noNetworkPreload, '-e', "fetch('https://example.org').catch(() => {}); try { require('net').connect(443, 'example.org') } catch {} try { require('dns').lookup('example.org', () => {}) } catch {}"],
      { env: { ...process.env, BIONER_NET_LOG: join(scratch, 'probe.jsonl') }, encoding: 'utf8' },
    );
    assert.equal(probe.status, 0, probe.stderr);
    const probed = readFileSync(join(scratch, 'probe.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l).api);
    assert.deepEqual(probed, ['fetch', 'net.connect', 'dns.lookup']);
  });

  it(`tag (lexicon and neural, worker threads), train, eval, convert and info work offline${canUnshare ? ' (also under unshare -n)' : ''}`, async () => {
    const neural = await tinyNeuralModelDir();
    const note = join(scratch, 'note.txt');
    writeFileSync(note, 'Aspirin induced asthma. Naloxone reversed the overdose.\n');
    const conll = tinyConll(scratch);
    const runs: Array<[string, CliResult]> = [
      ['tag lexicon', offline(['tag', note, '--model', lexiconModel, '--workers', '2'])],
      ['tag neural', offline(['tag', note, '--model', neural, '--workers', '1', '--format', 'brat', '--out', join(scratch, 'tagged')])],
      ['train', offline(['train', '--train', conll, '--dev', conll, '--representation', 'tiny', '--epochs', '2', '--out', join(scratch, 'trained')])],
      ['eval gold/pred', offline(['eval', conll, conll])],
      ['eval --model', offline(['eval', conll, '--model', neural])],
      ['convert', offline(['convert', conll, join(scratch, 'converted.jsonl')])],
      ['info', offline(['info', '--model', neural])],
    ];
    for (const [name, run] of runs) assert.equal(run.code, 0, `${name}: ${run.stderr}`);
    assert.ok(existsSync(join(scratch, 'trained', 'config.json')));
    assert.ok(existsSync(join(scratch, 'tagged', 'note.ann')));
    assert.deepEqual(attempts(), []);
  });

  describe('a full language-server session', () => {
    let client: LspTestClient;
    const previousArgs = process.env.BIONER_LSP_NODE_ARGS;
    before(async () => {
      process.env.BIONER_LSP_NODE_ARGS = `--require ${noNetworkPreload}`;
      process.env.BIONER_NET_LOG = netLog;
      client = await LspTestClient.start({ model: lexiconModel });
    });
    after(async () => {
      await client.stop();
      if (previousArgs === undefined) delete process.env.BIONER_LSP_NODE_ARGS;
      else process.env.BIONER_LSP_NODE_ARGS = previousArgs;
      delete process.env.BIONER_NET_LOG;
    });

    it('tokens, hover, symbols, a code action writing .ann, a model switch to a neural model: zero attempts', async () => {
      const path = join(scratch, 'visit.txt');
      const text = 'Naloxone reversed the overdose; aspirin for fever.';
      writeFileSync(path, text);
      const uri = pathToFileURL(path).href;
      client.open(uri, text);
      assert.deepEqual(LspTestClient.decode(text, await client.tokens(uri)).map((t) => t.text), ['Naloxone', 'aspirin', 'fever']);
      client.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'Ivacaftor. ' }]);
      await client.connection.sendRequest('textDocument/semanticTokens/full', { textDocument: { uri } });
      assert.ok(await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 2 } }));
      await client.connection.sendRequest('textDocument/documentSymbol', { textDocument: { uri } });
      const actions: CodeAction[] = await client.connection.sendRequest('textDocument/codeAction', {
        textDocument: { uri },
        range: { start: { line: 0, character: 13 }, end: { line: 0, character: 13 } },
        context: { diagnostics: [] },
      });
      const annotate = actions.find((a) => a.title.startsWith('Annotate as'));
      assert.ok(annotate, actions.map((a) => a.title).join(', '));
      await client.connection.sendRequest('workspace/executeCommand', annotate.command);
      assert.match(readFileSync(join(scratch, 'visit.ann'), 'utf8'), /^T1\tDRUG 11 19\tNaloxone$/m);
      client.settings = { model: await tinyNeuralModelDir() };
      const switched: { modelName?: string } = await client.connection.sendRequest('bioner/reloadModel');
      assert.equal(switched.modelName, 'tiny-neural');
      await client.tokens(uri);
      assert.equal(client.process.exitCode, null);
      assert.deepEqual(attempts(), []);
    });
  });

  it('no source file of ours imports a networking module or calls fetch', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (/\.(ts|mjs|cjs|js)$/.test(entry.name)) {
          readFileSync(path, 'utf8')
            .split('\n')
            .forEach((line, i) => {
              if (NETWORK_USE.test(line)) offenders.push(`${path}:${i + 1}: ${line.trim()}`);
            });
        }
      }
    };
    for (const folder of ['server/src', 'client/src']) walk(join(repoRoot, folder));
    assert.deepEqual(offenders, []);
  });

  it('the bundles name no URL except documentation and licence links', () => {
    const allowedHosts = new Set(['github.com', 'developer.mozilla.org', 'emscripten.org', 'www.apache.org', 'tools.ietf.org', 'www.w3.org', 'nodejs.org']);
    for (const bundle of ['server.js', 'cli.js', 'worker.js']) {
      const code = readFileSync(join(repoRoot, 'dist', bundle), 'utf8');
      const hosts = [...code.matchAll(/https?:\/\/([a-z0-9.-]+)/gi)].map((m) => m[1].toLowerCase());
      const unexpected = [...new Set(hosts.filter((h) => !allowedHosts.has(h)))];
      assert.deepEqual(unexpected, [], `${bundle} names ${unexpected.join(', ')}`);
    }
  });
});
