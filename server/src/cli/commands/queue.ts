// `bioner queue status|clean --queue redis://...`: show or drop the run a Redis database holds.
import type { Command } from 'commander';
import { loadQueueBackend } from '../queueBackend';

export function register(program: Command): void {
  const queue = program.command('queue').description('Show (status) or drop (clean) the tagging run on a Redis queue.');
  queue
    .command('status')
    .description("the run's model, options and job counts, and each failed job with its reason")
    .requiredOption('-q, --queue <url>', 'the Redis queue: redis://host:port[/db]')
    .action(async (flags: { queue: string }) => void process.stdout.write(await (await loadQueueBackend()).queueStatus(flags.queue)));
  queue
    .command('clean')
    .description('remove the run, all its jobs and the shards of large JSONL inputs in its --out folder (outputs already written stay, and count as done on a re-run)')
    .requiredOption('-q, --queue <url>', 'the Redis queue: redis://host:port[/db]')
    .action(async (flags: { queue: string }) => void process.stdout.write(await (await loadQueueBackend()).queueClean(flags.queue)));
}
