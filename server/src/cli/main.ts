// The `bioner` command line: one sub-command per file in ./commands.
import { Command } from 'commander';
import { UserError } from '../errors';
import { BIONER_VERSION } from '../version';
import * as assertCommand from './commands/assert';
import * as calibrate from './commands/calibrate';
import * as convert from './commands/convert';
import * as evaluate from './commands/eval';
import * as evalAssertion from './commands/evalAssertion';
import * as info from './commands/info';
import * as pretrain from './commands/pretrain';
import * as queue from './commands/queue';
import * as tag from './commands/tag';
import * as train from './commands/train';
import * as vocab from './commands/vocab';
import * as worker from './commands/worker';

const program = new Command('bioner')
  .description('On-premise biomedical named-entity recognition: tag, train, evaluate and convert. No network, ever.')
  .version(BIONER_VERSION)
  .showHelpAfterError('(add --help to see the options)');

for (const command of [tag, worker, queue, evaluate, evalAssertion, assertCommand, train, calibrate, pretrain, vocab, convert, info]) {
  command.register(program);
}

program.parseAsync(process.argv).catch((error: unknown) => {
  // By name too: the queue backend is its own bundle (dist/queue.js), with its own copy of the class.
  if (error instanceof UserError || (error as Error | undefined)?.name === 'UserError') {
    process.stderr.write(`bioner: ${(error as Error).message}\n`);
  } else {
    process.stderr.write(`bioner: internal error: ${error instanceof Error ? error.stack : String(error)}\n`);
  }
  process.exitCode = 1;
});
