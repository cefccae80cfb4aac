// Calls to Redis that survive a restart: retried while the connection is down, given up with a clear error (naming
// the address) once it has been down too long. Never hangs: a call that does not settle in time counts as down.
import type { Queue } from 'bullmq';
import { UserError } from '../../errors';
import { redisReason, type QueueAddress } from './connection';
import { RUN_KEY } from './jobs';

/**
 * Retries Redis calls while the connection is down, and gives up (a UserError) once it has been down `giveUpMs`. A
 * call that does not settle within `giveUpMs` counts as down too (a connection cut while it was being set up can leave
 * ioredis waiting for good).
 */
export class RedisWatch {
  constructor(
    private readonly address: QueueAddress,
    private readonly giveUpMs: number,
    private readonly lastError: () => unknown,
    private readonly pending: Map<string, unknown>,
  ) {}

  /** The first contact: a Redis that is not there at all is reported sooner (5 s at most). */
  async connect(queue: Queue<any, any>): Promise<void> {
    const limit = Math.min(this.giveUpMs, 5000);
    await this.retry(async () => void (await (await queue.getBackend().client).get(RUN_KEY)), limit, (error) =>
      new UserError(`${this.address.label}: cannot reach Redis (${redisReason(this.lastError() ?? error)})`),
    );
  }

  async retry(step: () => Promise<void>, giveUpMs = this.giveUpMs, giveUp = (error: unknown) => this.lostError(error)): Promise<void> {
    let downSince: number | undefined;
    for (;;) {
      const attempt = Date.now();
      try {
        await withTimeout(step(), giveUpMs);
        return;
      } catch (error) {
        if (error instanceof UserError || !isConnectionError(error)) throw error;
        downSince ??= attempt;
        if (Date.now() - downSince >= giveUpMs) throw giveUp(error);
        await sleep(250);
      }
    }
  }

  private lostError(error: unknown): UserError {
    return new UserError(
      `${this.address.label}: lost the connection to Redis (${redisReason(this.lastError() ?? error)}) for ${Math.round(this.giveUpMs / 1000)} s, ` +
        `with ${this.pending.size} jobs unsettled; outputs written so far are kept: run the same command again to resume`,
    );
  }
}

/** Rejects with an ETIMEDOUT error when `promise` has not settled in `ms` (its own later failure is ignored). */
export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  promise.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer in ${ms} ms`), { code: 'ETIMEDOUT' })), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function isConnectionError(error: unknown): boolean {
  const message = (error as Error)?.message ?? '';
  const code = (error as NodeJS.ErrnoException)?.code ?? '';
  return (
    /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH/.test(code) ||
    /Connection is closed|enableOfflineQueue|Stream isn't writeable|max retries per request|connect ECONNREFUSED|LOADING|Socket closed/i.test(message)
  );
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
