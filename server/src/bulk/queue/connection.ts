// The --queue address: redis://[user:password@]host:port[/db], turned into the connection options BullMQ passes to
// ioredis. One Redis database holds one run at a time (see jobs.ts); give another db number for a second run.
import type { ConnectionOptions } from 'bullmq';
import { UserError } from '../../errors';

export interface QueueAddress {
  host: string;
  port: number;
  db: number;
  username?: string;
  password?: string;
  /** The address as people should see it (no password). */
  label: string;
}

export function parseQueueAddress(value: string): QueueAddress {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UserError(`--queue ${JSON.stringify(value)}: expected redis://host:port[/db]`);
  }
  if (url.protocol !== 'redis:') throw new UserError(`--queue ${JSON.stringify(value)}: expected redis://host:port[/db] (only redis:// is supported)`);
  const dbText = url.pathname.replace(/^\//, '');
  if (!/^\d*$/.test(dbText)) throw new UserError(`--queue ${JSON.stringify(value)}: the database after "/" must be a number`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!host) throw new UserError(`--queue ${JSON.stringify(value)}: no host`);
  const port = url.port ? Number(url.port) : 6379;
  const db = dbText ? Number(dbText) : 0;
  return {
    host,
    port,
    db,
    username: url.username ? decodeURIComponent(url.username) : undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    label: `redis://${url.hostname}:${port}/${db}`,
  };
}

/**
 * ioredis options. Reconnects every half second (BullMQ's default backs off to 20 s, too slow to notice a Redis that
 * restarted). `failFast`: commands fail at once while disconnected instead of waiting in ioredis's offline queue, so
 * the command that enqueues can tell how long Redis has been gone (workers keep the queue: BullMQ needs it there).
 */
export function connectionOptions(address: QueueAddress, failFast: boolean): ConnectionOptions {
  return {
    host: address.host,
    port: address.port,
    db: address.db,
    username: address.username,
    password: address.password,
    retryStrategy: () => 500,
    ...(failFast ? { enableOfflineQueue: false, maxRetriesPerRequest: 1 } : {}),
  };
}

/** A short reason for a Redis error (ECONNREFUSED, "Connection is closed.", ...). */
export function redisReason(error: unknown): string {
  const e = error as NodeJS.ErrnoException & { errors?: unknown[] };
  if (typeof e?.code === 'string') return e.code; // a number is BullMQ's job-state code: its message says more
  if (Array.isArray(e?.errors) && e.errors.length) return redisReason(e.errors[0]);
  return e instanceof Error ? e.message : String(error);
}
