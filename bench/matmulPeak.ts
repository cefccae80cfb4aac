// Bench probe (bundled by bench/run.mjs into dist/bench-matmul.js, run in its own process): the best matMul speed
// of one thread on the backend the engine picks (tfjs-node if installed, else wasm, whose matMuls run on the BLAS
// addon when it is built, on 1 thread), in GFLOP/s. Tagging and
// training throughputs are printed as a fraction of this (times the threads used) — the machine's practical limit.
import * as tf from '@tensorflow/tfjs-core';
import { initEngine } from '../server/src/engine/backend';

async function main(): Promise<void> {
  const engine = await initEngine();
  let best = 0;
  const sizes: number[] = [];
  for (const n of [256, 512, 1024]) {
    const a = tf.randomNormal([n, n]);
    const b = tf.randomNormal([n, n]);
    tf.matMul(a, b).dataSync(); // warm-up (kernel compile, memory growth)
    let seconds = Infinity;
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      const c = tf.matMul(a, b);
      c.dataSync();
      seconds = Math.min(seconds, (performance.now() - t) / 1000);
      c.dispose();
    }
    const gflops = (2 * n ** 3) / seconds / 1e9;
    sizes.push(Math.round(gflops * 100) / 100);
    best = Math.max(best, gflops);
    a.dispose();
    b.dispose();
  }
  process.stdout.write(`${JSON.stringify({ backend: engine.backend, threads: engine.threads, blas: engine.blas?.library, gflops: best, bySize: sizes })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
