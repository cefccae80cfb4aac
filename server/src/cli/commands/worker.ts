// `bioner worker --queue redis://...`: tags the jobs of `bioner tag --queue` runs (server/src/bulk/queue/worker.ts).
import { availableParallelism } from 'node:os';
import { Option, type Command } from 'commander';
import { capAtCores } from '../cores';
import { loadQueueBackend } from '../queueBackend';
import { shippedModelDir } from '../../model/folder';
import { positiveInt } from '../flags';

interface WorkerFlags {
  queue: string;
  concurrency: number;
  model: string;
  lockMs: number;
  batchSize: number;
}

export function register(program: Command): void {
  program
    .command('worker')
    .description('Take tagging jobs from a queue (`bioner tag DIR --out OUT --queue URL`), tag them and write their outputs into OUT.')
    .requiredOption('-q, --queue <url>', 'the Redis queue: redis://host:port[/db]')
    .option('-c, --concurrency <n>', 'jobs tagged at once, one tagger thread each (at most one per core)', positiveInt, Math.max(1, availableParallelism()))
    .option('-m, --model <dir>', "model folder (must be the run's model: same fingerprint)", shippedModelDir())
    .addOption(new Option('--lock-ms <ms>', "a job's lock, and the stalled-job check interval").argParser(positiveInt).default(30_000).hideHelp())
    .addOption(new Option('--batch-size <n>', 'sentences per model call').argParser(positiveInt).default(256).hideHelp())
    .addHelpText(
      'after',
      `
The run's output folder (--out of bioner tag) must be reachable at the same path here. Each output is written to a
temp file in its folder and renamed into place (bioner tag records it as complete when the job is acknowledged).
A job of another model (its fingerprint differs from --model's) is put back for other workers, and this worker exits 1.
SIGTERM or Ctrl-C: finish the jobs in hand, then exit 0. A worker killed outright loses nothing: its jobs are given
to another worker once their lock expires (30 s). A job that fails 3 times goes to the failed set
(bioner queue status lists it; bioner tag lists it at the end of the run).`,
    )
    .action(async (flags: WorkerFlags) => {
      const controller = new AbortController();
      const onSignal = (): void => {
        if (controller.signal.aborted) process.exit(130);
        controller.abort();
      };
      process.on('SIGTERM', onSignal);
      process.on('SIGINT', onSignal);
      // Loaded here so that other commands do not load the queue client.
      const { runWorker } = await loadQueueBackend();
      try {
        process.exitCode = await runWorker(
          { queue: flags.queue, modelDir: flags.model, concurrency: capAtCores(flags.concurrency, '--concurrency'), lockMs: flags.lockMs, batchSize: flags.batchSize, signal: controller.signal },
          process.stderr,
        );
      } finally {
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
      }
    });
}
