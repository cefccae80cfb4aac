// The BioNER language server: publishes the entities of plain-text and markdown documents while the user types.
// Runs as `node dist/server.js --stdio` for any LSP client, or over IPC from the VS Code extension. The model runs
// in a worker thread (WorkerTagger), so this thread only handles the protocol and never waits on inference.
// First, so that it runs before the rest is loaded: the model's worker starts booting (earlyWorker.ts).
import { earlyWorker } from './earlyWorker';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createConnection,
  DidChangeConfigurationNotification,
  MessageType,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { AnnFileCache } from './annFile';
import * as codeActions from './codeActions';
import { annPathOf, currentAnnotations, currentReview, showMessage, type ServerContext } from './context';
import { computeDiagnostics, staleSidecarDiagnostic } from './diagnostics';
import { DocumentEntities, type DocumentAnalysis } from './documentEntities';
import * as documentSymbols from './documentSymbols';
import * as hover from './hover';
import { ModelHost, startingWith } from './modelHost';
import { DebugStatsMethod, EditAnnotationCommand, MarkReviewedCommand, ReloadModelMethod, type DebugStatsResult, StatusMethod, type ReloadModelParams, type ReloadModelResult, type StatusParams } from './protocol';
import * as semanticTokens from './semanticTokens';
import { SidecarSync } from './sidecarSync';
import { legend } from './semanticTokens';
import { DEFAULT_SETTINGS, parseSettings, resolveModelDir, type BionerSettings } from './settings';
import { BIONER_VERSION } from '../version';

const DEBOUNCE_MS = 50;

if (!process.argv.some((arg) => /^--(stdio|node-ipc|socket|pipe)(=|$)/.test(arg))) {
  process.stderr.write('usage: node dist/server.js --stdio | --node-ipc | --socket=<port> | --pipe=<name>\n');
  process.exit(1);
}

const connection = createConnection(ProposedFeatures.all);
const annFiles = new AnnFileCache();
const sidecars = new SidecarSync({
  annPathOf,
  content: (path) => annFiles.content(path),
  written: (path) => annFiles.forget(path),
  log: (message) => connection.console.log(message),
  warn(message) {
    connection.console.warn(message);
    showMessage(connection, MessageType.Warning, `BioNER: ${message}`);
  },
});
// Each change is logged before it is applied, so the sidecar's annotations can follow it (sidecarSync.ts).
const documents = new TextDocuments<TextDocument>({ create: TextDocument.create, update: sidecars.update });
let settings: BionerSettings = DEFAULT_SETTINGS;
let workspaceRoot: string | undefined;
let canPullConfiguration = false;
/** Whether initialize carried the settings (then the model starts loading at once). */
let settingsSentAtStart = false;
let canRefreshTokens = false;

const log = (message: string): void => connection.console.log(message);
const warn = (message: string): void => connection.console.warn(message);

// A failed notification (e.g. the client went away mid-send) is logged; it must never take the server down.
process.on('unhandledRejection', (reason) => {
  process.stderr.write(`bioner server: unhandled rejection: ${reason instanceof Error ? reason.stack : String(reason)}\n`);
});

const model = new ModelHost({
  error(message) {
    connection.console.error(message);
    showMessage(connection, MessageType.Error, message);
  },
  log,
  changed() {
    entities.reset();
    for (const document of documents.all()) {
      sendStatus(document.uri, true);
      void entities.current(document.uri).catch((error) => warn(`tagging ${document.uri} failed: ${String(error)}`));
    }
    refreshTokens();
  },
}, startingWith(earlyWorker));

const entities = new DocumentEntities(model, {
  debounceMs: DEBOUNCE_MS,
  maxFileSize: () => settings.maxFileSize,
  document: (uri) => documents.get(uri),
  // After the current turn: a semantic-tokens request waiting for this analysis is answered first.
  analyzed: (analysis) => setImmediate(() => void publish(analysis, true).catch((error) => warn(`publishing ${analysis.uri} failed: ${String(error)}`))),
  busy: (uri) => sendStatus(uri, true),
  log: warn,
});

/** The analysis whose tokens the client last received, per document. */
const served = new Map<string, DocumentAnalysis>();
/** When each open document was opened, until its first entities are sent (logged: where a slow first colour went). */
const openedAt = new Map<string, number>();

/** Whether two analyses give the same tokens (same entities at the same places). */
function sameEntities(a: DocumentAnalysis, b: DocumentAnalysis): boolean {
  if (a === b) return true;
  if (a.entities.length !== b.entities.length) return false;
  return a.entities.every((e, i) => {
    const f = b.entities[i];
    return e.start === f.start && e.end === f.end && e.label === f.label && e.confidence === f.confidence;
  });
}

const context: ServerContext = {
  connection,
  documents,
  model,
  entities,
  annFiles,
  sidecars,
  settings: () => settings,
  republish(uri) {
    entities
      .current(uri)
      .then((analysis) => analysis && publish(analysis, false))
      .catch((error) => warn(`tagging ${uri} failed: ${String(error)}`));
  },
  tokensServed(analysis) {
    served.set(analysis.uri, analysis);
  },
  entityTokensSent(uri, count, request) {
    const opened = openedAt.get(uri);
    if (opened === undefined || count === 0) return;
    openedAt.delete(uri);
    log(`${basename(uri)}: first entity tokens sent (${request}, ${count}) ${Math.round(performance.now() - opened)} ms after it was opened`);
  },
};

/** Diagnostics and status of a finished analysis, and a token refresh if the client holds other entities. */
async function publish(analysis: DocumentAnalysis, refresh: boolean): Promise<void> {
  const document = documents.get(analysis.uri);
  if (!document || document.version !== analysis.version) return; // a newer analysis is on its way
  const annPath = annPathOf(document.uri);
  // The sidecar is read off the request path (annFile.ts); the document may change meanwhile.
  const stale = await sidecars.stale(document.uri);
  const told = await sidecars.tellStale(document.uri);
  const annotations = analysis.partial ? undefined : await currentAnnotations(context, document);
  const review = analysis.partial ? undefined : await currentReview(context, document);
  if (documents.get(analysis.uri) !== document || document.version !== analysis.version) return;
  if (told) showMessage(connection, MessageType.Warning, `BioNER: ${told}`);
  const diagnostics = analysis.partial
    ? []
    : computeDiagnostics(document, analysis.entities, settings, annotations, annPath && basename(annPath), review);
  if (stale) diagnostics.unshift(staleSidecarDiagnostic(stale));
  void connection.sendDiagnostics({ uri: document.uri, version: document.version, diagnostics });
  sendStatus(document.uri, false, analysis);
  if (refresh) refreshIfNotFetched(analysis);
}

/** How long a client gets to fetch the tokens of a new version by itself (VS Code does after every edit). */
const FETCH_GRACE_MS = 300;
const refreshChecks = new Map<string, NodeJS.Timeout>();

/**
 * Asks the client to refresh its semantic tokens when it holds other entities than the latest analysis and has not
 * fetched them itself shortly after (clients that do not re-request after edits; results that came in late).
 */
function refreshIfNotFetched(analysis: DocumentAnalysis): void {
  clearTimeout(refreshChecks.get(analysis.uri));
  refreshChecks.set(
    analysis.uri,
    setTimeout(() => {
      refreshChecks.delete(analysis.uri);
      const held = served.get(analysis.uri);
      const current = documents.get(analysis.uri);
      if (!held || !current || current.version !== analysis.version || entities.latest(analysis.uri) !== analysis) return;
      if (!sameEntities(held, analysis)) refreshTokens();
    }, FETCH_GRACE_MS),
  );
}

function sendStatus(uri: string, busy: boolean, analysis = entities.latest(uri)): void {
  const params: StatusParams = {
    modelName: model.current?.modelName,
    uri,
    entityCount: analysis?.entities.length ?? 0,
    busy: busy || model.loading,
  };
  void connection.sendNotification(StatusMethod, params);
}

let refreshQueued = false;
function refreshTokens(): void {
  if (!canRefreshTokens || refreshQueued) return;
  refreshQueued = true;
  setTimeout(() => {
    refreshQueued = false;
    connection.languages.semanticTokens.refresh();
  }, 10);
}

const largeFilesTold = new Set<string>();
function largeFileOpened(document: TextDocument): void {
  if (largeFilesTold.has(document.uri)) return;
  largeFilesTold.add(document.uri);
  const megabytes = (settings.maxFileSize / (1024 * 1024)).toFixed(1);
  showMessage(
    connection,
    MessageType.Info,
    `BioNER: ${basename(document.uri)} is larger than bioner.maxFileSize (${megabytes} MB); only the visible part is tagged.`,
  );
}

async function pullSettings(): Promise<void> {
  if (!canPullConfiguration) return;
  try {
    settings = parseSettings(await connection.workspace.getConfiguration({ section: 'bioner' }), warn);
  } catch (error) {
    warn(`could not read the bioner settings: ${String(error)}`);
  }
}

/** Loads the model of the settings, once they are in (documents wait for it from now on). */
function loadConfiguredModel(settingsReady: Promise<void>, force = false): Promise<ReloadModelResult> {
  return model.load(
    settingsReady.then(() => resolveModelDir(settings, workspaceRoot)),
    force,
  );
}

connection.onInitialize((params): InitializeResult => {
  // Where a slow start went: the process's own clock (the editor bench reads this from the output channel).
  log(`initialize ${Math.round(performance.now())} ms after the server process started (its code loaded at ${Math.round(codeLoadedAt)} ms)`);
  const capabilities = params.capabilities;
  canPullConfiguration = !!capabilities.workspace?.configuration;
  canRefreshTokens = !!capabilities.workspace?.semanticTokens?.refreshSupport;
  const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? undefined;
  if (folder?.startsWith('file:')) workspaceRoot = fileURLToPath(folder);
  const options = params.initializationOptions as { settings?: unknown } | undefined;
  if (options?.settings) {
    settings = parseSettings(options.settings, warn);
    // The client sent its settings (BioNER's client: the model already resolved), so the model loads from now on,
    // while the client finishes starting, instead of after a settings round trip through a busy extension host.
    settingsSentAtStart = true;
    void loadConfiguredModel(Promise.resolve());
  }
  return {
    capabilities: {
      // Saves are asked for explicitly: a sidecar's annotations are moved with the edits when the document is saved.
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
      semanticTokensProvider: { legend, full: { delta: true }, range: true },
      hoverProvider: true,
      codeActionProvider: { codeActionKinds: ['quickfix'] },
      executeCommandProvider: { commands: [EditAnnotationCommand, MarkReviewedCommand] },
      documentSymbolProvider: { label: 'BioNER entities' },
    },
    serverInfo: { name: 'bioner', version: BIONER_VERSION },
  };
});

connection.onInitialized(async () => {
  if (canPullConfiguration) {
    void connection.client.register(DidChangeConfigurationNotification.type, { section: 'bioner' }).catch(() => undefined);
  }
  if (settingsSentAtStart) {
    // Documents wait for the model already loading; a model named differently by the pulled settings loads after it.
    await pullSettings();
    await loadConfiguredModel(Promise.resolve());
  } else {
    await loadConfiguredModel(pullSettings());
  }
});

connection.onDidChangeConfiguration(async (change) => {
  const pushed = (change.settings as { bioner?: unknown } | null | undefined)?.bioner;
  if (pushed !== undefined) settings = parseSettings(pushed, warn);
  await loadConfiguredModel(pushed !== undefined ? Promise.resolve() : pullSettings());
  // threshold, labels and diagnostics may have changed: re-publish everything
  for (const document of documents.all()) context.republish(document.uri);
  refreshTokens();
});

const forced = (params: ReloadModelParams | null | undefined): boolean => params?.force !== false;
connection.onRequest(ReloadModelMethod, (params: ReloadModelParams | null): Promise<ReloadModelResult> =>
  loadConfiguredModel(pullSettings(), forced(params)),
);
connection.onNotification(ReloadModelMethod, (params: ReloadModelParams | null) => loadConfiguredModel(pullSettings(), forced(params)));
connection.onRequest(DebugStatsMethod, async (): Promise<DebugStatsResult> => {
  const { numTensors } = (await model.current?.stats?.().catch(() => undefined)) ?? { numTensors: 0 };
  const { rss, heapUsed } = process.memoryUsage();
  return { numTensors, rss, heapUsed, openDocuments: documents.all().length, sentencesTagged: entities.sentencesRequested };
});

// A saved or externally edited .ann (reported by clients that watch files) changes the diagnostics of its document.
connection.onDidChangeWatchedFiles(({ changes }) => {
  const touched = new Set(changes.filter((c) => c.uri.startsWith('file:') && c.uri.endsWith('.ann')).map((c) => fileURLToPath(c.uri)));
  for (const path of touched) annFiles.forget(path);
  for (const document of documents.all()) {
    const annPath = annPathOf(document.uri);
    if (annPath && touched.has(annPath)) context.republish(document.uri);
  }
});

documents.onDidOpen(({ document }) => {
  openedAt.set(document.uri, performance.now());
  sidecars.opened(document);
  sendStatus(document.uri, true);
  entities.schedule(document);
});
documents.onDidChangeContent(({ document }) => entities.schedule(document));
documents.onDidSave(async ({ document }) => {
  try {
    await sidecars.saved(document.uri, document.getText());
  } catch (error) {
    showMessage(connection, MessageType.Error, `BioNER: ${error instanceof Error ? error.message : String(error)}`);
  }
  context.republish(document.uri);
});
documents.onDidClose(({ document }) => {
  sidecars.closed(document.uri);
  entities.close(document.uri);
  served.delete(document.uri);
  openedAt.delete(document.uri);
  clearTimeout(refreshChecks.get(document.uri));
  refreshChecks.delete(document.uri);
  largeFilesTold.delete(document.uri);
  void connection.sendDiagnostics({ uri: document.uri, diagnostics: [] });
});

semanticTokens.register(context, largeFileOpened);
hover.register(context);
codeActions.register(context);
documentSymbols.register(context);

connection.onShutdown(() => {
  model.dispose();
  earlyWorker.dispose(); // if no model was ever loaded in it
});
documents.listen(connection);
connection.listen();
const codeLoadedAt = performance.now();
