import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..");
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");

/** `npm run <script>`, `npm test` and `npx cdktf <command>` as they appear in a text. */
function commands(text: string): Set<string> {
  return new Set([...text.matchAll(/\b(npm run [\w:-]+|npm test|npx cdktf [a-z]+)\b/g)].map((m) => m[1]));
}

/** The command column of README's "## Commands" table. */
function readmeCommandTable(): string {
  const readme = read("README.md");
  const section = readme.slice(readme.indexOf("\n## Commands\n"));
  const table = section.slice(0, section.search(/\n#{2,3} (?!Commands)/));
  return table
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .map((line) => line.split("|")[1])
    .join("\n");
}

describe("user-facing docs", () => {
  it("README's command table and help list the same commands", () => {
    const inReadme = commands(readmeCommandTable());
    const inHelp = commands(read("help"));
    expect([...inReadme].sort()).toEqual([...inHelp].sort());
  });

  it("document every npm script (npm test included), and name no script that does not exist", () => {
    const scripts = Object.keys(JSON.parse(read("package.json")).scripts as Record<string, string>);
    const documented = [...commands(read("help"))].filter((c) => c.startsWith("npm "));
    const asCommands = scripts.map((s) => (s === "test" ? "npm test" : `npm run ${s}`));
    expect(documented.sort()).toEqual(asCommands.sort());
  });

  it("ship a LICENSE with the full text of package.json's license", () => {
    expect(JSON.parse(read("package.json")).license).toBe("Apache-2.0");
    const license = read("LICENSE");
    expect(license).toContain("Apache License\n                           Version 2.0, January 2004");
    expect(license).toContain("TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION");
    expect(license).toContain("END OF TERMS AND CONDITIONS");
    expect(license).toContain("APPENDIX: How to apply the Apache License to your work.");
    // All nine sections of the terms.
    for (let i = 1; i <= 9; i++) expect(license).toMatch(new RegExp(`\\n\\s+${i}\\. [A-Z]`));
  });

  it("lint checks the example config but not the configs users write next to it", () => {
    const fileInfo = (file: string) => {
      const run = spawnSync(
        process.execPath,
        [path.join(ROOT, "node_modules", "prettier", "bin", "prettier.cjs"), "--file-info", file],
        { cwd: ROOT, encoding: "utf8" },
      );
      expect(run.status).toBe(0);
      return JSON.parse(run.stdout) as { ignored: boolean };
    };
    expect(fileInfo("config/example.json").ignored).toBe(false);
    expect(fileInfo("config/prod.json").ignored).toBe(true);
    expect(fileInfo("config/staging-eu.json").ignored).toBe(true);
    // Test fixtures are still formatted.
    expect(fileInfo("__tests__/fixtures/config/rich.json").ignored).toBe(false);
    // eslint reads only JavaScript and TypeScript: nothing to ignore there.
    expect(read("eslint.config.mjs")).not.toMatch(/\*\*\/\*\.json|files:.*json/);
  });
});
