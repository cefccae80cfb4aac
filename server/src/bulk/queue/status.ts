// `bioner queue status|clean`: what the run on a Redis database is doing, and dropping it.
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Queue } from 'bullmq';
import { connectionOptions, parseQueueAddress } from './connection';
import { RedisWatch, withTimeout } from './redisWatch';
import { QUEUE_NAME, RUN_KEY, SHARDS_DIR, shortFingerprint, type RunSpec, type TagJobData } from './jobs';

const COUNTED = ['waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed'] as const;

async function withQueue<T>(url: string, use: (queue: Queue<TagJobData>, label: string) => Promise<T>): Promise<T> {
  const address = parseQueueAddress(url);
  const queue = new Queue<TagJobData>(QUEUE_NAME, { connection: connectionOptions(address, true) });
  let lastError: unknown;
  queue.on('error', (error) => (lastError = error));
  try {
    await new RedisWatch(address, 5000, () => lastError, new Map()).connect(queue);
    return await use(queue, address.label);
  } catch (error) {
    await withTimeout(queue.disconnect(), 1000).catch(() => undefined);
    throw error;
  } finally {
    await withTimeout(queue.close(), 1000).catch(() => undefined);
  }
}

/** A few lines: the run, its job counts, and the failed jobs with their reasons. */
export async function queueStatus(url: string): Promise<string> {
  return withQueue(url, async (queue, label) => {
    const raw = await (await queue.getBackend().client).get(RUN_KEY);
    if (!raw) return `${label}: no run\n`;
    const run = JSON.parse(raw) as RunSpec & { startedAt: string };
    const counts = await queue.getJobCounts(...COUNTED);
    const lines = [
      `${label}: run started ${run.startedAt}: model ${run.modelName} (fingerprint ${shortFingerprint(run.model)}), --format ${run.format}, --out ${run.outRoot}`,
      `jobs: ${COUNTED.map((state) => `${counts[state] ?? 0} ${state}`).join(', ')}`,
    ];
    for (const job of await queue.getFailed(0, 49)) {
      const files = [...new Set(job.data.units.map((u) => u.file))].join(', ');
      lines.push(`  failed job ${job.id} (${files}): ${job.failedReason} (after ${job.attemptsMade} attempts)`);
    }
    return `${lines.join('\n')}\n`;
  });
}

/**
 * Removes the run's jobs (in every state), its description and the shards of large JSONL inputs in its output folder
 * (when this machine reaches it); outputs already written stay.
 */
export async function queueClean(url: string): Promise<string> {
  return withQueue(url, async (queue, label) => {
    const client = await queue.getBackend().client;
    const raw = await client.get(RUN_KEY);
    const counts = await queue.getJobCounts(...COUNTED);
    const jobs = Object.values(counts).reduce((a, b) => a + b, 0);
    await queue.obliterate({ force: true });
    await client.del(RUN_KEY);
    let shards = '';
    if (raw) {
      const { outRoot } = JSON.parse(raw) as RunSpec;
      const folder = join(outRoot, SHARDS_DIR);
      if (existsSync(outRoot)) {
        rmSync(folder, { recursive: true, force: true });
        shards = `, and the shards in ${folder}`;
      } else {
        shards = `; ${outRoot} is not reachable from this machine: remove ${folder} where it is`;
      }
    }
    return `${label}: removed the run and its ${jobs} jobs${shards} (outputs already written are kept)\n`;
  });
}
