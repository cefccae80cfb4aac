// Every command of the extension; package.json `contributes.commands` lists the same ids.
import type * as vscode from 'vscode';
import type { Bioner } from '../context';
import * as annotateSelection from './annotateSelection';
import * as fineTune from './fineTune';
import * as markFullyAnnotated from './markFullyAnnotated';
import * as openModelCard from './openModelCard';
import * as restartServer from './restartServer';
import * as selectModel from './selectModel';
import * as showEntities from './showEntities';
import * as tagFolder from './tagFolder';

export const commands: Array<{ id: string; register(bioner: Bioner): vscode.Disposable }> = [
  fineTune,
  tagFolder,
  annotateSelection,
  markFullyAnnotated,
  showEntities,
  selectModel,
  restartServer,
  openModelCard,
];
