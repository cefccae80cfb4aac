// The queue backend, bundled on its own (dist/queue.js) and loaded only by `bioner tag --queue`, `bioner worker` and
// `bioner queue`: the one part of BioNER that opens network connections, and only to the Redis address it is given.
// Every other command's bundle holds no networking code (test/reliability/noNetwork.test.ts).
export { queueBackend } from './queueBackend';
export { queueClean, queueStatus } from './status';
export { runWorker } from './worker';
