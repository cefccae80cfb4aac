// The language server without the assertion pass (bench/lsp.ts builds it as dist/bench-server-without-assertion.js):
// the same server, with assertionPass taken out of DOCUMENT_PASSES before the server starts, so the bench can set the
// LSP edit latency with the pass beside the latency without it (issue 19: the pass must add nothing measurable). A
// bench-only build rather than a setting: users have no reason to turn the pass off.
import { DOCUMENT_PASSES, type DocumentPass } from '../server/src/tagging/passes';
import { assertionPass } from '../server/src/tagging/passes/assertion';

const passes = DOCUMENT_PASSES as DocumentPass[];
const at = passes.indexOf(assertionPass);
if (at < 0) throw new Error('bench/serverWithoutAssertion.ts: assertionPass is not in DOCUMENT_PASSES');
passes.splice(at, 1);
// Required (not imported) so that it runs after the line above: the server reads DOCUMENT_PASSES when a model loads.
require('../server/src/lsp/server');
