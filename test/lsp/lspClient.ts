// A minimal LSP client for tests and benchmarks: starts the built server (`node dist/server.js --stdio`) and talks
// to it with vscode-languageserver-protocol, answering workspace/configuration from a settings object.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
  type SemanticTokens,
  type ShowMessageParams,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';
import { decodeTokens } from '../../server/src/lsp/semanticTokens';
import { StatusMethod, type StatusParams } from '../../server/src/lsp/protocol';

export const repoRoot = join(__dirname, '..', '..');
export const lexiconModel = join(repoRoot, 'test', 'fixtures', 'models', 'lexicon');

/**
 * vscode-jsonrpc 8.2's reader re-arms a 10 s partial-message timer for as long as half a message sits in its buffer
 * (a server killed mid-write leaves one), and its dispose() does not clear that timer: the test process then never
 * exits. Seen as a crash-safety test file hanging after all its tests had passed.
 */
class DisposableStreamMessageReader extends StreamMessageReader {
  override dispose(): void {
    super.dispose();
    (this as unknown as { clearPartialMessageTimer(): void }).clearPartialMessageTimer();
  }
}

export class LspTestClient {
  readonly messages: ShowMessageParams[] = [];
  /** window/logMessage notifications (the client's output channel). */
  readonly logs: ShowMessageParams[] = [];
  readonly statuses: StatusParams[] = [];
  readonly diagnostics = new Map<string, Array<{ message: string; severity?: number; code?: string | number }>>();
  refreshCount = 0;
  stderr = '';
  private versions = new Map<string, number>();

  private constructor(
    readonly connection: ProtocolConnection,
    readonly process: ChildProcess,
    public settings: Record<string, unknown>,
  ) {}

  /** Starts the server, initializes it and waits until the configured model has been loaded (or failed). */
  static async start(
    settings: Record<string, unknown>,
    options: {
      rootPath?: string;
      waitForModel?: boolean;
      /** Sent in initialize as initializationOptions.settings, as BioNER's VS Code client does. */
      initialSettings?: Record<string, unknown>;
      /** workspace/configuration is answered only once this settles (a busy extension host). */
      configurationAnswered?: Promise<unknown>;
      /** Extra node flags for the server (e.g. a --require preload) and its environment. */
      nodeArgs?: string[];
      env?: NodeJS.ProcessEnv;
      /** Another build of the server to run instead of dist/server.js (a bench's variant). */
      serverScript?: string;
    } = {},
  ): Promise<LspTestClient> {
    const rootPath = options.rootPath ?? repoRoot;
    // BIONER_LSP_NODE_ARGS: extra node flags for the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile it.
    const nodeArgs = [...(process.env.BIONER_LSP_NODE_ARGS ?? '').split(' ').filter(Boolean), ...(options.nodeArgs ?? [])];
    const child = spawn(process.execPath, [...nodeArgs, options.serverScript ?? join(repoRoot, 'dist', 'server.js'), '--stdio'], {
      stdio: 'pipe',
      env: { ...process.env, ...options.env },
    });
    const connection = createProtocolConnection(new DisposableStreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const client = new LspTestClient(connection, child, settings);
    child.stderr!.on('data', (chunk) => (client.stderr += String(chunk)));
    connection.onRequest('workspace/configuration', async (params: { items: Array<{ section?: string }> }) => {
      await options.configurationAnswered;
      return params.items.map((item) => (item.section === 'bioner' ? client.settings : null));
    });
    connection.onRequest('client/registerCapability', () => null);
    connection.onRequest('workspace/semanticTokens/refresh', () => {
      client.refreshCount++;
      return null;
    });
    connection.onNotification('window/showMessage', (params: ShowMessageParams) => client.messages.push(params));
    connection.onRequest('window/showMessageRequest', (params: ShowMessageParams) => {
      client.messages.push({ ...params, message: `(as a request) ${params.message}` });
      return null;
    });
    connection.onNotification('window/logMessage', (params: ShowMessageParams) => client.logs.push(params));
    connection.onNotification(StatusMethod, (params: StatusParams) => client.statuses.push(params));
    connection.onNotification('textDocument/publishDiagnostics', (params: { uri: string; diagnostics: [] }) =>
      client.diagnostics.set(params.uri, params.diagnostics),
    );
    connection.listen();
    await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(rootPath).href,
      capabilities: {
        workspace: { configuration: true, semanticTokens: { refreshSupport: true }, didChangeConfiguration: { dynamicRegistration: true } },
        textDocument: {
          semanticTokens: {
            requests: { full: { delta: true }, range: true },
            tokenTypes: [],
            tokenModifiers: [],
            formats: ['relative'],
          },
        },
      },
      workspaceFolders: null,
      ...(options.initialSettings && { initializationOptions: { settings: options.initialSettings } }),
    });
    await connection.sendNotification('initialized', {});
    // bioner/reloadModel waits for every queued load; unforced, it loads nothing more: its answer says the model is in
    if (options.waitForModel !== false) await connection.sendRequest('bioner/reloadModel', { force: false });
    return client;
  }

  open(uri: string, text: string, languageId = 'plaintext'): void {
    this.versions.set(uri, 1);
    void this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
  }

  change(uri: string, changes: TextDocumentContentChangeEvent[]): void {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    void this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
  }

  async tokens(uri: string): Promise<SemanticTokens> {
    return this.connection.sendRequest('textDocument/semanticTokens/full', { textDocument: { uri } });
  }

  /** Decodes semantic tokens into (text, type, modifiers) using the document text the test holds. */
  static decode(text: string, tokens: SemanticTokens): Array<{ text: string; type: string; modifiers: string[] }> {
    const lines = text.split('\n');
    return decodeTokens(tokens.data).map((t) => ({
      text: lines[t.line].slice(t.character, t.character + t.length),
      type: t.type,
      modifiers: t.modifiers,
    }));
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
      void this.connection.sendNotification('exit');
    } catch {
      // already gone
    }
    this.connection.dispose();
    if (this.process.exitCode === null) {
      await Promise.race([new Promise((r) => this.process.once('exit', r)), new Promise((r) => setTimeout(r, 2000))]);
      if (this.process.exitCode === null) this.process.kill();
    }
  }
}
