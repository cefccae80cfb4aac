// `bioner info [--model DIR]`: the compute backend, threads, what runs the matMuls (the BLAS addon or the backend),
// versions, and a model's configuration summary.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import * as tf from '@tensorflow/tfjs-core';
import { BACKEND_NAMES, initEngine, type BackendName } from '../../engine/backend';
import { charCnnOutputDim, forwardFlopsPerToken, parseRepresentationConfig } from '../../model/config';
import { readJsonFileSync } from '../../formats/boundedRead';
import { readModelFolderConfig, TERMS_FILE, WEIGHTS_MANIFEST_FILE } from '../../model/folder';
import { loadTerms } from '../../tagging/load';

interface InfoFlags {
  model?: string;
  backend?: BackendName;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('info')
    .description('Show the compute backend, threads and versions, and with --model a model folder\'s configuration.')
    .option('-m, --model <dir>', 'a model folder (tagger or pre-trained BiLM)')
    .addOption(new Option('--backend <name>', 'tfjs backend to try').choices(BACKEND_NAMES as string[]))
    .option('--json', 'print JSON')
    .action(async (flags: InfoFlags) => {
      const engine = await initEngine({ backend: flags.backend });
      const info: Record<string, unknown> = {
        bioner: program.version(),
        node: process.versions.node,
        tfjs: tf.version_core,
        backend: engine.backend,
        threads: engine.threads,
        matMul: engine.blas ? `BLAS (${engine.blas.library}), ${engine.blas.threads} thread(s)` : `${engine.backend}'s own`,
        ...(engine.notes.length ? { skipped: engine.notes } : {}),
      };
      if (flags.model) info.model = modelSummary(flags.model);
      if (flags.json) {
        process.stdout.write(JSON.stringify(info, null, 2) + '\n');
        return;
      }
      const lines = [
        `bioner ${info.bioner} (node ${info.node}, tfjs ${info.tfjs})`,
        `backend: ${engine.backend}, threads: ${engine.threads}${engine.backend === 'wasm' ? ' (wasm in Node is single-threaded; use worker threads for more cores)' : ''}`,
        `matMul: ${info.matMul}`,
        ...engine.notes.map((n) => `  skipped ${n}`),
      ];
      if (info.model) {
        lines.push('model:');
        for (const [k, v] of Object.entries(info.model as Record<string, unknown>)) {
          lines.push(`  ${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
        }
      }
      process.stdout.write(lines.join('\n') + '\n');
    });
}

function modelSummary(dir: string): Record<string, unknown> {
  const { file, kind, raw } = readModelFolderConfig(dir);
  const config = raw as Record<string, any>;
  const summary: Record<string, unknown> = { path: resolve(dir), kind };
  if (config.name) summary.name = config.name;
  if (config.labels) summary.labels = config.labels.types ?? config.labels;
  if (config.formatVersion !== undefined) summary.formatVersion = config.formatVersion;
  // A pre-trained BiLM folder keeps it under "representation", a tagger under "architecture".
  const rep = config.representation ?? config.architecture?.representation;
  if (rep) {
    const r = parseRepresentationConfig(rep, `${file} "representation"`);
    summary.representation =
      `char-CNN ${charCnnOutputDim(r)} filters (widths ${r.charFilters.map(([w]) => w).join(',')}), ${r.highwayLayers} highway, ` +
      `BiLM ${r.lstm.layers} x LSTM ${r.lstm.hidden} -> ${r.projectionDim} per direction, ~${(forwardFlopsPerToken(r) / 1e6).toFixed(1)} MFLOP/token`;
  }
  if (config.vocab) summary.vocab = config.vocab;
  const provenance = config.provenance;
  if (provenance?.heldoutPerplexity) summary.heldoutPerplexity = provenance.heldoutPerplexity;
  if (provenance?.tokens) summary.trainedTokens = provenance.tokens;
  if (config.metrics) summary.metrics = config.metrics;
  const terms = loadTerms(dir);
  if (terms) summary.terms = `${terms.size} multi-word names (${TERMS_FILE})`;
  for (const key of [WEIGHTS_MANIFEST_FILE]) {
    const p = join(resolve(dir), key);
    if (existsSync(p)) {
      try {
        const m = readJsonFileSync(p) as Record<string, any>;
        summary.weights = `${m.weights?.length ?? '?'} tensors, ${((m.byteLength ?? 0) / 1e6).toFixed(1)} MB`;
      } catch {
        summary.weights = 'unreadable manifest';
      }
    }
  }
  return summary;
}
