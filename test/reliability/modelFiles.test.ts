// Model files are data: loading a model directory never runs code from it, and a damaged or hostile one (truncated
// weights, unknown format version, shapes that do not match the config, a manifest pointing outside the folder,
// a malformed terms.tsv, prototype-pollution keys) is refused with a clear error naming the file, through the CLI and the language server.
// The library-level refusals are in test/unit/modelDir.test.ts; this file checks what the user sees.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MessageType } from 'vscode-languageserver-protocol';
import { loadTagger } from '../../server/src/tagging/load';
import { LspTestClient } from '../lsp/lspClient';
import { assertUserFailure, editJson, lexiconModel, repoRoot, runCli, scratchDir, tinyConll, tinyNeuralModelDir } from './helpers';

/** Ways to damage a copy of the tiny model: [name, damage, file:message pattern]. */
const DAMAGES: Array<[string, (dir: string) => void, RegExp]> = [
  ['truncated weights', (dir) => truncateSync(join(dir, 'weights.bin'), statSync(join(dir, 'weights.bin')).size - 100), /weights\.bin: is \d+ bytes but its manifest says \d+ \(truncated/],
  ['unknown format version', (dir) => editJson(join(dir, 'config.json'), (c) => (c.formatVersion = 42)), /config\.json: unsupported formatVersion 42/],
  ['shapes unlike the config', (dir) => editJson(join(dir, 'config.json'), (c) => (c.architecture.tagger.encoder.hiddenSize = 24)), /weights\.json: .*has shape \[.*\] but the model expects/],
  ['manifest pointing up and out', (dir) => editJson(join(dir, 'weights.json'), (m) => (m.file = '../outside.bin')), /weights\.json: data file "\.\.\/outside\.bin" is outside the model directory/],
  ['manifest with an absolute path', (dir) => editJson(join(dir, 'weights.json'), (m) => (m.file = '/etc/hostname')), /weights\.json: data file "\/etc\/hostname" is outside the model directory/],
  ['JavaScript instead of a manifest', (dir) => writeFileSync(join(dir, 'weights.json'), 'module.exports = { format: "bioner-weights" };\n'), /weights\.json: not valid JSON/],
  ['weights.bin a link out of the folder', (dir) => replaceWithLink(join(dir, 'weights.bin'), join(dirname(dir), 'outside.bin')), /weights\.json: data file "weights\.bin" is a link to .*outside\.bin, outside the model directory/],
  ['config.json a link to /dev/zero', (dir) => replaceWithLink(join(dir, 'config.json'), '/dev/zero'), /config\.json: is a device, not a regular file/],
  ['task-words.txt a link to /dev/zero', (dir) => {
    editJson(join(dir, 'config.json'), (c) => (c.vocab.taskWords = 2));
    symlinkSync('/dev/zero', join(dir, 'task-words.txt'));
  }, /task-words\.txt: is a device, not a regular file/],
  ['an absurd lstm.hidden', (dir) => editJson(join(dir, 'config.json'), (c) => (c.architecture.representation.lstm.hidden = 1e9)), /config\.json \(architecture\.representation\): "lstm\.hidden" is 1000000000, more than 16384/],
  ['an absurd lstm.layers', (dir) => editJson(join(dir, 'config.json'), (c) => (c.architecture.representation.lstm.layers = 1e6)), /config\.json \(architecture\.representation\): "lstm\.layers" is 1000000, more than 32/],
  ['too many weights in all', (dir) => editJson(join(dir, 'config.json'), (c) => Object.assign(c.architecture.representation, { projectionDim: 8192, lstm: { ...c.architecture.representation.lstm, hidden: 16384 } })), /config\.json \(architecture\.representation\): the model would have \d+ million weights, more than 250 million: lower "lstm\.hidden"/],
  ['an absurd task hiddenSize', (dir) => editJson(join(dir, 'config.json'), (c) => (c.architecture.tagger.encoder.hiddenSize = 1e7)), /config\.json \(architecture\.tagger\): "encoder\.hiddenSize" is 10000000, more than 16384/],
  ['a one-word line in terms.tsv', (dir) => writeFileSync(join(dir, 'terms.tsv'), 'cystic fibrosis\tDISEASE\nfibrosis\tDISEASE\n'), /terms\.tsv:2: expected "term of two or more words<TAB>LABEL"/],
];

function replaceWithLink(file: string, target: string): void {
  rmSync(file);
  symlinkSync(target, file);
}

describe('damaged model directories', () => {
  const damaged = new Map<string, string>();
  before(async () => {
    for (const [name, damage] of DAMAGES) {
      const dir = await tinyNeuralModelDir();
      // A real file beside the model folder, so "outside" is refused for where it points, not for being missing.
      writeFileSync(join(dirname(dir), 'outside.bin'), readFileSync(join(dir, 'weights.bin')));
      damage(dir);
      damaged.set(name, dir);
    }
  });

  it('bioner tag (worker threads and main thread), eval --model and train --init-model refuse each with the file', () => {
    const scratch = scratchDir('model-cli');
    const text = join(scratch, 'note.txt');
    writeFileSync(text, 'Aspirin induced asthma.\n');
    const conll = tinyConll(scratch);
    for (const [name, , pattern] of DAMAGES) {
      const dir = damaged.get(name)!;
      assertUserFailure(runCli(['tag', text, '--model', dir, '--workers', '1']), pattern);
      if (name === 'truncated weights' || name === 'unknown format version') {
        assertUserFailure(runCli(['tag', text, '--model', dir, '--workers', '0']), pattern);
        assertUserFailure(runCli(['eval', conll, '--model', dir]), pattern);
        assertUserFailure(runCli(['train', '--init-model', dir, '--train', conll, '--epochs', '1', '--out', join(scratch, `out-${name}`)]), pattern);
        assert.ok(!existsSync(join(scratch, `out-${name}`)), 'no model written from a broken one');
      }
      if (name === 'a one-word line in terms.tsv') {
        // Fine-tuning would pass the list on to the new model: it is refused before training.
        assertUserFailure(runCli(['train', '--init-model', dir, '--train', conll, '--epochs', '1', '--out', join(scratch, 'out-terms')]), pattern);
        assert.ok(!existsSync(join(scratch, 'out-terms')));
      }
    }
  });

  it('the language server reports each with the file, keeps running, and serves once a good model is set', async () => {
    const client = await LspTestClient.start({ model: lexiconModel });
    try {
      for (const [name, , pattern] of [...DAMAGES.slice(0, 3), DAMAGES[DAMAGES.length - 1]]) {
        const before = client.messages.length;
        client.settings = { model: damaged.get(name)! };
        const result: { error?: string } = await client.connection.sendRequest('bioner/reloadModel');
        assert.match(result.error ?? '', pattern, name);
        const shown = client.messages.slice(before).find((m) => m.type === MessageType.Error);
        assert.ok(shown, `${name}: an error message is shown`);
        assert.match(shown.message, pattern);
        assert.match(shown.message, /Still using the model "test-lexicon"/);
        assert.doesNotMatch(shown.message + client.stderr, /\n\s+at /);
      }
      const uri = 'untitled:after-broken-models';
      const text = 'Aspirin for fever.';
      client.open(uri, text);
      assert.deepEqual(LspTestClient.decode(text, await client.tokens(uri)).map((t) => t.text), ['Aspirin', 'fever']);
      client.settings = { model: await tinyNeuralModelDir() };
      const good: { modelName?: string; error?: string } = await client.connection.sendRequest('bioner/reloadModel');
      assert.equal(good.error, undefined);
      assert.equal(good.modelName, 'tiny-neural');
      assert.equal(client.process.exitCode, null);
    } finally {
      await client.stop();
    }
  });
});

describe('loading never evaluates code', () => {
  let scratch: string;
  before(() => {
    scratch = scratchDir('model-code');
  });
  after(() => {
    delete (Object.prototype as Record<string, unknown>).polluted;
  });

  it('code files in a model folder are never run, and unknown kinds are refused', async () => {
    const dir = await tinyNeuralModelDir();
    const marker = join(scratch, 'code-ran');
    const payload = `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\n`;
    for (const file of ['index.js', 'model.js', 'config.js', 'weights.js', 'loader.mjs', 'tokenizer.cjs']) writeFileSync(join(dir, file), payload);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ main: 'index.js', scripts: { install: 'node index.js' } }));
    editJson(join(dir, 'config.json'), (c) => Object.assign(c, { loader: './index.js', tokenizer: 'tokenizer.cjs', custom_code: true }));
    const text = join(scratch, 'note.txt');
    writeFileSync(text, 'Aspirin induced asthma.\n');
    const run = runCli(['tag', text, '--model', dir, '--workers', '1']);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(!existsSync(marker), 'no file of the model folder was executed');

    editJson(join(dir, 'config.json'), (c) => (c.kind = './index.js'));
    assertUserFailure(runCli(['tag', text, '--model', dir]), /config\.json: unknown model kind "\.\/index\.js"/);
    assert.ok(!existsSync(marker));
  });

  it('prototype-pollution keys in config.json and weights.json stay data', async () => {
    const dir = await tinyNeuralModelDir();
    const poison = JSON.parse('{"__proto__": {"polluted": "config"}, "constructor": {"prototype": {"polluted": "constructor"}}}');
    editJson(join(dir, 'config.json'), (c) => {
      Object.assign(c, { extra: poison });
      c.architecture.tagger = { ...c.architecture.tagger, ...JSON.parse('{"__proto__": {"polluted": "tagger"}}') };
    });
    const manifestPath = join(dir, 'weights.json');
    const manifest = readFileSync(manifestPath, 'utf8');
    writeFileSync(manifestPath, manifest.replace(/^\{/, '{"__proto__": {"polluted": "manifest"}, '));
    const tagger = await loadTagger(dir);
    try {
      assert.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched');
      const [entities] = await tagger.tagSentences(['Aspirin induced asthma.']);
      assert.ok(Array.isArray(entities));
    } finally {
      tagger.dispose();
    }
  });

  it('no source file evaluates strings as code or loads modules by computed names', () => {
    // The one computed load: the CLI's queue backend, from a path fixed beside the CLI (dist/queue.js, or the sources
    // under tsx), never from a model folder or user input.
    const allowed = join(repoRoot, 'server', 'src', 'cli', 'queueBackend.ts');
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (path.endsWith('.ts') && path !== allowed) {
          readFileSync(path, 'utf8')
            .split('\n')
            .forEach((line, i) => {
              if (/\beval\s*\(|new Function\s*\(|node:vm|require\(\s*[^'"\s)]|import\(\s*[^'"\s)]/.test(line)) offenders.push(`${path}:${i + 1}: ${line.trim()}`);
            });
        }
      }
    };
    walk(join(repoRoot, 'server', 'src'));
    assert.deepEqual(offenders, []);
    for (const bundle of ['server.js', 'cli.js', 'worker.js']) {
      const code = readFileSync(join(repoRoot, 'dist', bundle), 'utf8');
      assert.doesNotMatch(code, /new Function\(|[^.\w]eval\(/, `${bundle} contains eval or new Function`);
    }
  });
});
