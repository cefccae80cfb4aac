// Starts the BioNER language server (dist/server.js, a Node process) and talks to it over IPC.
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  DidChangeConfigurationNotification,
  LanguageClient,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { activeModelDir, documentLanguages, SECTION, settings } from './config';

/** The `bioner` settings as the server may see them: plain JSON, with `model` resolved (see config.ts). */
function serverSettings(extensionPath: string): Record<string, unknown> {
  const plain = JSON.parse(JSON.stringify(settings())) as Record<string, unknown>;
  return { ...plain, model: activeModelDir(extensionPath) };
}

export function serverModule(context: vscode.ExtensionContext): string {
  return context.asAbsolutePath(path.join('dist', 'server.js'));
}

export function createClient(context: vscode.ExtensionContext, outputChannel: vscode.OutputChannel): LanguageClient {
  const module = serverModule(context);
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const documentSelector = documentLanguages().flatMap((language) => [
    { scheme: 'file', language },
    { scheme: 'untitled', language },
  ]);
  const clientOptions: LanguageClientOptions = {
    documentSelector,
    outputChannel,
    initializationOptions: { settings: serverSettings(context.extensionPath) },
    middleware: {
      workspace: {
        // Pushed settings (for servers that read them from the notification) get the same treatment as pulled ones.
        didChangeConfiguration: async () => {
          await client.sendNotification(DidChangeConfigurationNotification.type, {
            settings: { [SECTION]: serverSettings(context.extensionPath) },
          });
        },
        // The server asks for `bioner` settings; it gets the model directory as the extension resolved it (absolute,
        // defaulted, and ignoring workspace values in an untrusted workspace), never the raw setting.
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (!Array.isArray(result)) return result;
          const model = activeModelDir(context.extensionPath);
          return result.map((value: unknown, i: number) => {
            const section = params.items[i]?.section;
            if (section === SECTION && value && typeof value === 'object') return { ...value, model };
            if (section === `${SECTION}.model`) return model;
            return value;
          });
        },
      },
    },
  };
  const client = new LanguageClient('bioner', 'BioNER Language Server', serverOptions, clientOptions);
  return client;
}
