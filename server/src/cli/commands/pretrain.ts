// `bioner pretrain`: pre-trains the BiLM language model on raw text (see server/src/train/pretrain.ts).
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { nonNegativeNumber, positiveInt, positiveNumber } from '../flags';
import { UserError } from '../../errors';
import { capAtCores } from '../cores';
import { readJsonFileSync } from '../../formats/boundedRead';
import { initEngine, BACKEND_NAMES, type BackendName } from '../../engine/backend';
import { NAMED_CONFIGS, parseRepresentationConfig, forwardFlopsPerToken } from '../../model/config';
import { seededRandom } from '../../model/batching';
import { pretrain, type PretrainProgress } from '../../train/pretrain';
import { ProgressBar, progressMode, Throttle, type ProgressMode } from '../../progress';
import { readSentences } from '../../train/rawText';

interface PretrainFlags {
  text: string[];
  heldout?: string[];
  heldoutSentences: number;
  vocab: string;
  config: string;
  out: string;
  epochs: number;
  batchTokens: number;
  lr: number;
  clipNorm: number;
  maxMinutes?: number;
  checkpointEveryMinutes: number;
  resume?: boolean;
  seed: number;
  threads: number;
  backend?: BackendName;
  progressJson?: boolean;
}

export function register(program: Command): void {
  program
    .command('pretrain')
    .description('Pre-train the contextual representation (char-CNN + BiLM language model) on raw text.')
    .requiredOption('--text <files...>', 'training text: raw (one sentence or paragraph per line) or PubTator files')
    .option('--heldout <files...>', 'held-out text for perplexity (never train on it)')
    .option('--heldout-sentences <n>', 'without --heldout: hold out this many random training sentences', positiveInt, 1000)
    .requiredOption('--vocab <dir>', 'vocabulary folder from `bioner vocab`')
    .option('--config <json>', `representation config: a JSON file or a preset (${Object.keys(NAMED_CONFIGS).join(', ')})`, 'reference')
    .requiredOption('-o, --out <dir>', 'output model folder (config.json, vocabularies, weights, checkpoint/)')
    .option('--epochs <n>', 'passes over the training text', positiveInt, 1)
    .option('--batch-tokens <n>', 'padded tokens per batch', positiveInt, 2000)
    .option('--lr <rate>', 'Adam learning rate', positiveNumber, 0.002)
    .option('--clip-norm <x>', 'clip gradients to this global norm', positiveNumber, 5)
    .option('--max-minutes <m>', 'stop cleanly (checkpoint + model) after this many minutes (0 with --resume: just write the model from the checkpoint)', nonNegativeNumber)
    .option('--checkpoint-every-minutes <m>', 'checkpoint interval', positiveNumber, 5)
    .option('--resume', 'continue from the checkpoint in --out')
    .option('--seed <n>', 'random seed', positiveInt, 1)
    .option('--threads <n>', 'data-parallel training threads, at most one per core (wasm uses one core per thread)', positiveInt, 1)
    .addOption(new Option('--backend <name>', 'tfjs backend (default: node if installed, else wasm)').choices(BACKEND_NAMES as string[]))
    .option('--progress-json', 'report progress as JSON lines on stderr')
    .action(async (flags: PretrainFlags) => {
      const engine = await initEngine({ backend: flags.backend });
      const config = loadConfig(flags.config);
      let train = readSentences(flags.text);
      let heldout: string[][];
      if (flags.heldout?.length) {
        const trainFiles = new Set(flags.text.map((f) => resolve(f)));
        const overlap = flags.heldout.find((f) => trainFiles.has(resolve(f)));
        if (overlap) throw new UserError(`${overlap}: given both as --text and --heldout`);
        heldout = readSentences(flags.heldout);
      } else {
        // A reproducible random sample of the training sentences, removed from training.
        const random = seededRandom(flags.seed + 7);
        const picked = new Set<number>();
        const n = Math.min(flags.heldoutSentences, Math.floor(train.length / 10));
        while (picked.size < n) picked.add(Math.floor(random() * train.length));
        heldout = [...picked].map((i) => train[i]);
        train = train.filter((_, i) => !picked.has(i));
      }
      if (!train.length) throw new UserError(`${flags.text.join(', ')}: no text to train on`);
      const tokens = train.reduce((s, w) => s + w.length, 0);
      const reporter = makeReporter(progressMode(flags.progressJson));
      process.stderr.write(
        flags.progressJson
          ? JSON.stringify({ event: 'setup', backend: engine.backend, sentences: train.length, tokens, heldoutSentences: heldout.length, flopsPerToken: forwardFlopsPerToken(config) }) + '\n'
          : `bioner pretrain: ${train.length} sentences, ${tokens} tokens (held out: ${heldout.length} sentences), backend ${engine.backend}, ` +
              `~${(forwardFlopsPerToken(config) / 1e6).toFixed(1)} MFLOP/token forward\n`,
      );
      const controller = new AbortController();
      const onSigint = (): void => {
        if (controller.signal.aborted) process.exit(130);
        process.stderr.write('\nbioner pretrain: stopping after this batch with a checkpoint (Ctrl-C again to quit at once)\n');
        controller.abort();
      };
      process.on('SIGINT', onSigint);
      try {
        const result = await pretrain(
          {
            train,
            heldout,
            vocabDir: flags.vocab,
            config,
            outDir: flags.out,
            epochs: flags.epochs,
            batchTokens: flags.batchTokens,
            lr: flags.lr,
            clipNorm: flags.clipNorm,
            maxMinutes: flags.maxMinutes,
            checkpointEveryMinutes: flags.checkpointEveryMinutes,
            resume: !!flags.resume,
            seed: flags.seed,
            threads: capAtCores(flags.threads, '--threads'),
            signal: controller.signal,
            provenance: {
              command: ['bioner', ...process.argv.slice(2)].join(' '),
              text: flags.text.map(describeFile),
              heldout: flags.heldout?.map(describeFile) ?? `${heldout.length} sentences sampled from the training text (seed ${flags.seed})`,
              backend: engine.backend,
            },
          },
          reporter.report,
        );
        reporter.stop();
        const ppl = result.perplexities.map((p) => p.toFixed(1)).join(', ');
        if (!flags.progressJson) {
          process.stderr.write(
            `bioner pretrain: ${result.steps} steps, ${result.tokens} tokens, loss ${Number.isNaN(result.finalLoss) ? "n/a" : result.finalLoss.toFixed(3)}, held-out perplexity ${ppl || 'n/a'}` +
              `${result.stoppedEarly ? ' (stopped early; continue with --resume)' : ''} -> ${flags.out}\n`,
          );
        }
      } finally {
        reporter.stop();
        process.off('SIGINT', onSigint);
      }
    });
}

function loadConfig(spec: string) {
  if (NAMED_CONFIGS[spec]) return parseRepresentationConfig(spec, spec);
  if (!existsSync(spec)) throw new UserError(`${spec}: no such config file (or preset: ${Object.keys(NAMED_CONFIGS).join(', ')})`);
  const json = readJsonFileSync(spec);
  // A model directory's config.json holds the representation under "representation".
  const obj = json as { representation?: unknown };
  return parseRepresentationConfig(obj && typeof obj === 'object' && obj.representation ? obj.representation : json, spec);
}

function describeFile(file: string): { path: string; bytes: number } {
  return { path: resolve(file), bytes: statSync(file).size };
}

const PRETRAIN_BAR = 'epoch {epoch} [{bar}] {value}/{total} batches | {tps} tok/s | loss {loss} | ETA {eta_min} min';

function formatProgress(p: PretrainProgress): string {
  const parts = [`epoch ${p.epoch + (p.event === 'step' || p.event === 'checkpoint' ? 1 : 0)}`, `step ${p.step}`, `${Math.round(p.tokensPerSecond)} tok/s`];
  if (p.loss !== undefined) parts.push(`loss ${p.loss.toFixed(3)}`);
  if (p.heldoutPerplexity !== undefined) parts.push(`held-out perplexity ${p.heldoutPerplexity.toFixed(1)}`);
  if (p.etaSeconds !== undefined && Number.isFinite(p.etaSeconds)) parts.push(`ETA ${Math.round(p.etaSeconds / 60)} min`);
  if (p.message) parts.push(p.message);
  return parts.join(', ');
}

function makeReporter(mode: ProgressMode): { report: (p: PretrainProgress) => void; stop: () => void } {
  if (mode === 'json') {
    return { report: (p) => process.stderr.write(JSON.stringify(p) + '\n'), stop: () => {} };
  }
  if (mode === 'lines') {
    const steps = new Throttle(10_000);
    return {
      report: (p) => {
        if (!steps.due() && p.event === 'step') return;
        process.stderr.write(`bioner pretrain: ${p.event === 'step' ? '' : p.event + ': '}${formatProgress(p)}\n`);
      },
      stop: () => {},
    };
  }
  const bar = new ProgressBar(process.stderr);
  return {
    report: (p) => {
      if (p.event === 'step') {
        const payload = { epoch: p.epoch + 1, tps: Math.round(p.tokensPerSecond), loss: p.loss?.toFixed(3) ?? '-', eta_min: Math.round((p.etaSeconds ?? 0) / 60) };
        bar.update(PRETRAIN_BAR, p.batch, p.batches, payload, true);
      } else if (p.event === 'epoch' || p.event === 'done') {
        bar.stop();
        if (p.event === 'epoch') process.stderr.write(`bioner pretrain: ${formatProgress(p)}\n`);
      }
    },
    stop: () => bar.stop(),
  };
}
