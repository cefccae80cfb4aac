// `bioner eval-assertion FILE`: scores the assertion pass (negation, temporality, experiencer) on a NegEx-format
// TSV (formats/negexTsv.ts): per property accuracy, and P/R/F1 of each non-default value.
import type { Command } from 'commander';
import { formatAssertionReport, scoreAssertions } from '../../eval/assertionMetrics';
import { readTextFile } from '../../formats/inputText';
import { parseNegexTsv } from '../../formats/negexTsv';
import { assertText } from '../../tagging/assertion';

interface EvalAssertionOptions {
  json?: boolean;
  showErrors?: boolean;
}

export function register(program: Command): void {
  program
    .command('eval-assertion')
    .description('Score negation, temporality and experiencer on a NegEx-format TSV (id, condition, sentence, negation, temporality, experiencer)')
    .argument('<file>', 'the TSV, with a header line')
    .option('--json', 'print the report as JSON')
    .option('--show-errors', 'also list every row whose prediction differs from the gold, with the deciding trigger')
    .action((file: string, options: EvalAssertionOptions) => {
      const rows = parseNegexTsv(readTextFile(file), file);
      const predicted = rows.map((row) => assertText(row.text, [row.entity])[0]);
      const report = scoreAssertions(rows.map((r) => r.gold), predicted);
      process.stdout.write(options.json ? JSON.stringify(report, null, 2) + '\n' : formatAssertionReport(report));
      if (!options.showErrors) return;
      rows.forEach((row, i) => {
        const p = predicted[i];
        for (const property of ['negation', 'temporality', 'experiencer'] as const) {
          if (p[property] === row.gold[property]) continue;
          const cue = p.triggers[property];
          const condition = row.text.slice(row.entity.start, row.entity.end);
          process.stdout.write(
            `${file}:${row.line}: ${property} ${p[property]} (gold ${row.gold[property]})${cue ? ` by "${cue.text}"` : ''}: [${condition}] ${row.text.replace(/\s+/g, ' ')}\n`,
          );
        }
      });
    });
}
