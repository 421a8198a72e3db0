/**
 * `npm run config:schema`: writes config/config.schema.json (the config's JSON Schema, for editors) and README's
 * configuration reference, both generated from the zod schema. config/reference.test.ts fails when either
 * differs from what this writes (`--check`), so run it after changing the schema or config/reference-docs.ts.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { configJsonSchema, configJsonSchemaText, JSON_SCHEMA_FILE } from "../config/json-schema";
import { REFERENCE_BEGIN, REFERENCE_END, renderReference } from "../config/reference";

const ROOT = path.join(__dirname, "..");
const FIXTURES = path.join(ROOT, "__tests__", "fixtures", "config");

/** The example config first, then the test configs: where the reference takes its examples from. */
export function exampleConfigs(): unknown[] {
  const files = [
    path.join(ROOT, "config", "example.json"),
    ...readdirSync(FIXTURES)
      .filter((f) => f.endsWith(".json"))
      .sort()
      .map((f) => path.join(FIXTURES, f)),
  ];
  return files.map((f) => JSON.parse(readFileSync(f, "utf8")));
}

/** README with its configuration reference regenerated (prettier-formatted, as `npm run lint` wants it). */
export async function readmeWithReference(readme: string): Promise<string> {
  const begin = readme.indexOf(REFERENCE_BEGIN);
  const end = readme.indexOf(REFERENCE_END);
  if (begin < 0 || end < begin)
    throw new Error(`README.md has no ${REFERENCE_BEGIN} … ${REFERENCE_END} section`);
  const table = renderReference(configJsonSchema() as never, exampleConfigs());
  const replaced = `${readme.slice(0, begin)}${REFERENCE_BEGIN}\n\n${table}\n\n${readme.slice(end)}`;
  // Loaded here, not at the top: importing this module (as the tests do) needs no prettier.
  const { format } = await import("prettier");
  return format(replaced, { parser: "markdown", printWidth: 110 });
}

/** Writes both files; with `--check`, writes nothing and exits 1 when either is out of date. */
async function main(args: string[]): Promise<void> {
  const schemaFile = path.join(ROOT, JSON_SCHEMA_FILE);
  const readmeFile = path.join(ROOT, "README.md");
  const readme = readFileSync(readmeFile, "utf8");
  const wanted = { schema: configJsonSchemaText(), readme: await readmeWithReference(readme) };
  if (args.includes("--check")) {
    const stale = [
      ...(readFileSync(schemaFile, "utf8") === wanted.schema ? [] : [JSON_SCHEMA_FILE]),
      ...(readme === wanted.readme ? [] : ["README.md (configuration reference)"]),
    ];
    if (stale.length > 0) {
      console.error(`Out of date: ${stale.join(", ")}. Run npm run config:schema.`);
      process.exitCode = 1;
    }
    return;
  }
  writeFileSync(schemaFile, wanted.schema);
  writeFileSync(readmeFile, wanted.readme);
  console.log(`${JSON_SCHEMA_FILE} and README.md's configuration reference written`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error((e as Error).message);
    process.exit(1);
  });
}
