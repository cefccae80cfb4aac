// `bioner tag FILE|DIR|-`: tags text with a model and prints or writes the entities (see server/src/bulk/).
import { shippedModelDir } from '../../model/folder';
import { Option, type Command } from 'commander';
import { byteSize, wholeNumber } from '../flags';
import { bulkTag, SMALL_INPUT_BYTES } from '../../bulk/bulkTag';
import { progressMode } from '../../progress';
import { OUTPUT_FORMATS, type OutputFormat } from '../../bulk/render';
import { removeTempFilesSync } from '../../bulk/sinks';
import { capAtCores } from '../cores';
import { loadQueueBackend } from '../queueBackend';
import { DEFAULT_BATCH_DOCUMENTS } from '../../bulk/queue/jobs';

const DEFAULT_MAX_FILE_SIZE = 64 * 1024 * 1024;

interface TagFlags {
  format: OutputFormat;
  out?: string;
  inPlace?: boolean;
  model: string;
  workers?: number;
  include: string[];
  exclude: string[];
  force?: boolean;
  maxFileSize: number;
  progressJson?: boolean;
  batchSize: number;
  queue?: string;
  queueBatch?: number;
  queueGiveUp?: number;
}

export function register(program: Command): void {
  program
    .command('tag')
    .description(
      'Tag a file, a folder (its .txt, .md, .note and .jsonl files, recursively) or stdin ("-"). Without --out the result goes ' +
        'to stdout; with --out DIR one output per input mirrors the input tree (resumable: complete outputs are skipped).',
    )
    .argument('<input>', 'a file, a folder, or - for stdin (text, or JSONL: one {"id","text"} per line)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(OUTPUT_FORMATS).default('jsonl'))
    .option('-o, --out <dir>', 'write one output file per input under DIR, mirroring the input tree')
    .option('--in-place', 'write outputs beside the inputs (a .ann a person wrote or edited is kept; ours goes to .bioner.ann)')
    .option('-m, --model <dir>', 'model folder', shippedModelDir())
    .option('-w, --workers <n>', `worker threads, at most one per core; 0: tag in the main thread (default: 0 for inputs up to ${SMALL_INPUT_BYTES / 1024} kB, else one per core)`, wholeNumber)
    .option('--include <glob...>', 'only tag files matching these globs (relative to the folder)', [])
    .option('--exclude <glob...>', 'skip files matching these globs', [])
    .option('--force', 'tag again even when an output is already complete')
    .option('--max-file-size <bytes>', 'skip larger files (suffixes k, M, G allowed)', byteSize, DEFAULT_MAX_FILE_SIZE)
    .option('--progress-json', 'report progress as JSON lines on stderr (for the editor extension)')
    .addOption(new Option('--batch-size <n>', 'sentences per model call').argParser(wholeNumber).default(256).hideHelp())
    .option('-q, --queue <url>', 'enqueue the work on Redis (redis://host:port[/db]) for `bioner worker` processes anywhere; needs --out')
    .addOption(
      new Option('--queue-batch <n>', 'documents per queue job, and per shard of a larger JSONL file (the default is the smallest size measured to lose nothing to the queue cost; README)')
        .argParser(wholeNumber)
        .default(DEFAULT_BATCH_DOCUMENTS),
    )
    .addOption(new Option('--queue-give-up <s>', 'stop when Redis is unreachable this long').argParser(wholeNumber).default(30).hideHelp())
    .addHelpText(
      'after',
      `
Outputs (--out DIR or --in-place) mirror the input tree: the input's path minus ".txt", plus
  .jsonl | .conll | .ann | .inline.txt      (notes/a.txt -> a.ann, notes/b.md -> b.md.ann, c.jsonl -> c.jsonl.jsonl)
BRAT output under --out also gets a copy of the text (a.txt beside a.ann); JSONL input is not written as BRAT.
--in-place names the other formats a.bioner.jsonl, a.bioner.conll, a.bioner.inline.txt (never a person's file).
An existing .ann that a person wrote or edited (its "# bioner" first line gives the hash of the lines below it, which
  must still match) is kept; ours goes to <name>.bioner.ann, and the summary says so.
Two inputs with the same output name (n.md and n.md.txt) are refused before anything is written.
A second run skips inputs whose output was made from the same input content, model, options and version of bioner
  (recorded in .bioner-outputs in the output folder; modification times are not trusted): after an upgrade every
  input is tagged again; --force redoes them.
Ctrl-C finishes or discards the files in flight (no half-written file); exit code 130.
--queue URL: workers (bioner worker --queue URL) tag and write the outputs into --out, a folder they all reach at
  the same path. Outputs are the same bytes as a local run's; a JSONL input is streamed into shards of --queue-batch
  documents, joined in input order at the end. Jobs failing 3 times are listed at the end (exit code 1); running the same command again resumes. Ctrl-C
  leaves the queued jobs to the workers. bioner queue status|clean shows or drops the run.
Exit codes: 0 every input tagged (or already up to date); 1 an error (one input that cannot be tagged: empty, binary,
  not UTF-8, too large; a bad option or model); 2 a folder was tagged but some of its files were skipped (each is
  listed with the reason); 130 interrupted.`,
    )
    .action(async (input: string, flags: TagFlags) => {
      const progress = progressMode(flags.progressJson);
      const controller = new AbortController();
      // First Ctrl-C: stop reading, finish or discard what is in flight. Second: leave now, removing temp files.
      const onSigint = (): void => {
        if (controller.signal.aborted) {
          removeTempFilesSync();
          process.exit(130);
        }
        process.stderr.write(
          progress === 'json' ? '{"event":"stopping"}\n' : '\nbioner: stopping (Ctrl-C again to quit at once)...\n',
        );
        controller.abort();
      };
      process.on('SIGINT', onSigint);
      // kill (SIGTERM) or a closed terminal (SIGHUP): no time to finish; leave no temp file behind.
      const onTerminate = (signal: NodeJS.Signals): void => {
        removeTempFilesSync();
        process.exit(signal === 'SIGTERM' ? 143 : 129);
      };
      process.on('SIGTERM', onTerminate);
      process.on('SIGHUP', onTerminate);
      try {
        const common = {
          target: input,
          format: flags.format,
          out: flags.out,
          inPlace: flags.inPlace,
          modelDir: flags.model,
          workers: flags.workers === undefined ? undefined : capAtCores(flags.workers, '--workers'),
          include: flags.include,
          exclude: flags.exclude,
          force: flags.force,
          maxFileSize: flags.maxFileSize,
          progress,
          batchSize: flags.batchSize,
          signal: controller.signal,
        };
        const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
        // The queue backend is loaded only here, so that local runs do not load the queue client.
        const backend = flags.queue
          ? (await loadQueueBackend()).queueBackend({ queue: flags.queue, batchDocuments: flags.queueBatch, giveUpMs: (flags.queueGiveUp ?? 30) * 1000 })
          : undefined;
        const summary = await bulkTag({ ...common, backend }, io);
        if (summary.interrupted) process.exitCode = 130;
        else if (summary.failed?.length) process.exitCode = 1;
        else if (summary.skipped.length) process.exitCode = 2;
      } finally {
        process.off('SIGINT', onSigint);
        process.off('SIGTERM', onTerminate);
        process.off('SIGHUP', onTerminate);
      }
    });
}
