// Bench probe (bundled by bench/run.mjs into dist/bench-probe.js and run in its own process):
//   node dist/bench-probe.js MODEL_DIR SAMPLE_TEXT_FILE
// prints one JSON object: model load time, first-tag and steady tagging latency of the sample, the process's peak RSS
// with the model loaded, and the model's forward FLOPs per token when its config gives the sizes.
import { readFileSync } from 'node:fs';
import { forwardFlopsPerToken, parseRepresentationConfig } from '../server/src/model/config';
import { readModelFolderConfig } from '../server/src/model/folder';
import { loadPasses, loadTagger } from '../server/src/tagging/load';
import { tagDocument } from '../server/src/tagging/pipeline';

/** Peak resident set (VmHWM) in bytes; Linux only, else the current RSS. */
function peakRssBytes(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux
  }
  return process.memoryUsage().rss;
}

/**
 * Forward FLOPs per token: the BiLM (the model code's own count) plus the task char-CNN, the task BiLSTM and its
 * output layer (input = the scalar mix of [fwd; bwd] projections, 2P wide, plus the optional word embedding and
 * task char features).
 */
function flopsPerToken(modelDir: string): number | undefined {
  const config = readModelFolderConfig(modelDir).raw as Record<string, any>;
  if ((config.kind ?? 'neural') !== 'neural' || !config.architecture?.representation) return undefined;
  const rep = parseRepresentationConfig(config.architecture.representation, 'config.json');
  const encoder = config.architecture.tagger?.encoder ?? {};
  const H = encoder.hiddenSize ?? 128;
  // The task char-CNN, at 12 char positions per word as forwardFlopsPerToken counts the BiLM's.
  const charFilters: Array<[number, number]> = encoder.chars?.filters ?? [];
  const charDim = encoder.chars?.embeddingDim ?? 0;
  const taskChars = charFilters.reduce((sum, [w, n]) => sum + 2 * (12 - w + 1) * w * charDim * n, 0);
  const I = 2 * rep.projectionDim + (encoder.wordEmbeddingDim ?? 0) + charFilters.reduce((sum, [, n]) => sum + n, 0);
  const labels = (config.labels?.tags ?? []).length || 5;
  const taskLstm = 2 * (2 * I * 4 * H + 2 * H * 4 * H);
  return forwardFlopsPerToken(rep) + taskChars + taskLstm + 2 * 2 * H * labels;
}

async function main(): Promise<void> {
  const [modelDir, sampleFile] = process.argv.slice(2);
  const sample = readFileSync(sampleFile, 'utf8');
  const t0 = performance.now();
  const tagger = await loadTagger(modelDir);
  const passes = loadPasses(modelDir);
  const loadMs = performance.now() - t0;
  const t1 = performance.now();
  await tagDocument(tagger, sample, { passes });
  const firstTagMs = performance.now() - t1;
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await tagDocument(tagger, sample, { passes });
    runs.push(performance.now() - t);
  }
  const result = {
    model: tagger.modelName,
    loadMs,
    firstTagMs,
    steadyTagMs: Math.min(...runs),
    sampleWhitespaceTokens: sample.split(/\s+/).filter(Boolean).length,
    peakRssBytes: peakRssBytes(),
    flopsPerToken: flopsPerToken(modelDir) ?? null,
  };
  tagger.dispose();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
