// Peak memory of the language server with the model loaded (run by bench/run.mjs with tsx):
//   node --import tsx bench/serverRss.ts MODEL_DIR TEXT_FILE
// starts dist/server.js --stdio with the model, opens TEXT_FILE as a document, waits for its semantic tokens (so the
// model has tagged it), and reads the server process's peak RSS (VmHWM; its worker threads share the process).
// Prints {"metrics":[...]} for bench/run.mjs.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { LspTestClient } from '../test/lsp/lspClient';

function peakRssMb(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined; // not Linux
  }
}

async function main(): Promise<void> {
  const [modelDir, textFile] = process.argv.slice(2);
  const client = await LspTestClient.start({ model: resolve(modelDir) });
  try {
    const uri = 'untitled:bench-rss';
    client.open(uri, readFileSync(textFile, 'utf8'));
    await client.tokens(uri);
    const pid = client.process.pid;
    const peak = pid === undefined ? undefined : peakRssMb(pid);
    const metrics =
      peak === undefined
        ? []
        : [{ metric: 'peak RSS, language server with the model loaded', value: Math.round(peak * 10) / 10, unit: 'MB', target: '<= 300', note: `${modelDir}; one document tagged` }];
    process.stdout.write(`${JSON.stringify({ metrics })}\n`);
  } finally {
    await client.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
