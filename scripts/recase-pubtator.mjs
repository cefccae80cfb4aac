#!/usr/bin/env node
// Writes an upper- or lower-case copy of a PubTator file (titles, abstracts and the mention column), for measuring
// how a model copes with ALL CAPS or all lower-case text. Offsets stay valid: a character whose other case has a
// different length (e.g. "ß" -> "SS") is kept as it is.
// Usage: node scripts/recase-pubtator.mjs upper|lower IN OUT
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

const [mode, input, output] = process.argv.slice(2);
if (!['upper', 'lower'].includes(mode) || !input || !output) {
  console.error('usage: recase-pubtator.mjs upper|lower IN OUT');
  process.exit(1);
}
const recase = (s) => Array.from(s, (c) => {
  const r = mode === 'upper' ? c.toUpperCase() : c.toLowerCase();
  return r.length === c.length ? r : c;
}).join('');
const lines = readFileSync(input, 'utf8').split('\n').map((line) => {
  const text = /^(\d+)\|([ta])\|(.*)$/.exec(line);
  if (text) return `${text[1]}|${text[2]}|${recase(text[3])}`;
  const cols = line.split('\t');
  if (cols.length >= 5) cols[3] = recase(cols[3]);
  return cols.join('\t');
});
mkdirSync(dirname(output), { recursive: true });
writeFileSync(output, lines.join('\n'));
