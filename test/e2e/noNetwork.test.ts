// No network from BioNER in a real VS Code: every Node process of code-server loads scripts/no-network.cjs
// (NODE_OPTIONS). BioNER's own processes (the language server with its worker thread, the `bioner` CLI that Tag
// Folder… runs) have every outbound connection blocked and must still work; the extension host keeps its network
// (other extensions share it) but records each attempt with its JS stack, and none may come from BioNER's code.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BIONER_PROCESS } from './harness/codeServer';
import { DISEASE_RGB, DRUG_RGB, E2E_SKIP, E2eSession } from './harness/session';
import { WAIT, type Workbench } from './harness/workbench';

interface NetRecord {
  api: string;
  detail?: string;
  pid: number;
  threadId: number;
  argv: string[];
  blocking?: boolean;
  watched?: boolean;
  stack?: string;
}

describe('BioNER in VS Code with the network watched (code-server + Chromium)', { skip: E2E_SKIP, timeout: 300_000 }, () => {
  let session: E2eSession;
  let workbench: Workbench;
  const networkLog = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'bioner-e2e-net-')), 'network.jsonl');
  const records = (): NetRecord[] =>
    fs.existsSync(networkLog) ? fs.readFileSync(networkLog, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as NetRecord) : [];

  before(async () => {
    session = await E2eSession.open({ name: 'e2e-no-network', networkLog });
    workbench = session.workbench;
  });

  after(async () => {
    if (session) fs.copyFileSync(networkLog, path.join(session.results, 'network.jsonl'));
    await session?.close();
    fs.rmSync(path.dirname(networkLog), { recursive: true, force: true });
  });

  it('tags, hovers and tags a folder with BioNER\'s processes offline, and its code makes no network call', async () => {
    try {
      await workbench.openFile('cystic-fibrosis-clinic.note');
      assert.equal(await workbench.waitForColour('Ivacaftor', DRUG_RGB), DRUG_RGB);
      assert.equal(await workbench.waitForColour('cystic fibrosis', DISEASE_RGB), DISEASE_RGB);
      assert.match(await workbench.hoverText('Ivacaftor'), /DRUG/);
      // Tag Folder… runs the bioner CLI in its own process (blocked too).
      await workbench.runCommand('BioNER: Tag Folder…');
      await workbench.chooseFolder(path.join(session.workspace, 'notes'));
      await workbench.pick('JSONL');
      await workbench.pick('notes-bioner');
      await workbench.notification(/BioNER: tagged notes/).waitFor({ timeout: 2 * WAIT });
      await workbench.screenshot('1-offline');
    } catch (error) {
      await workbench.screenshot('failure').catch(() => undefined);
      throw error;
    }
    const all = records();
    const ours = new RegExp(BIONER_PROCESS);
    const loaded = all.filter((r) => r.api === 'loaded');
    // The watch reached every kind of process (else zero attempts below would prove nothing).
    const server = loaded.find((r) => r.blocking && /server\.js$/.test(r.argv[0] ?? ''));
    const cli = loaded.find((r) => r.blocking && /cli\.js$/.test(r.argv[0] ?? ''));
    assert.ok(server, `the language server loaded the preload:\n${JSON.stringify(loaded)}`);
    assert.ok(cli, 'the bioner CLI loaded the preload');
    // The server's model runs in a worker thread; bioner tag tags a small folder in its own thread (no workers).
    for (const main of [server, cli]) {
      const threads = loaded.filter((r) => r.pid === main.pid && r.threadId > 0);
      assert.ok(threads.every((r) => r.blocking), `the worker threads of ${main.argv[0]} are blocked too`);
      if (main === server) assert.ok(threads.length > 0, 'the language server\'s model worker loaded the preload');
    }
    assert.ok(loaded.some((r) => !r.blocking), 'code-server and its extension host are watched');
    const attempts = all.filter((r) => r.api !== 'loaded');
    assert.deepEqual(attempts.filter((r) => r.blocking !== false && !r.watched), [], 'BioNER processes tried the network');
    const fromOurCode = attempts.filter((r) => r.watched && ours.test(r.stack ?? ''));
    assert.deepEqual(fromOurCode, [], 'the extension tried the network');
  });
});
