/**
 * Bench scenario "synth": `npm run synth` against the cdktf template's default (`cdktf synth` running
 * `npx ts-node main.ts`); the app phase of `cdktf diff/deploy` (cdktf.json's app command, run as the CLI runs
 * it) against the template's; `npm run validate` against the TypeScript source under tsx.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { build, type BuildOptions } from "esbuild";
import { baseEnv, figure, fresh, interleaved, npmCommands, ROOT, timed, tree } from "./measure";

/** The cdktf typescript template's app command (cdktf-cli's templates/typescript/cdktf.json). */
const TEMPLATE_APP = "npx ts-node main.ts";

/** The environment the cdktf CLI gives the app command (see scripts/synth.mjs). */
function cliAppEnv(outdir: string): NodeJS.ProcessEnv {
  return {
    ...baseEnv,
    NODE_ENV: "production",
    NODE_OPTIONS: "--max-old-space-size=4096",
    CDKTF_OUTDIR: outdir,
    CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: "true",
    CDKTF_CONTEXT_JSON: JSON.stringify({ cdktfRelativeModules: [] }),
    SYNTH_HCL_OUTPUT: "false",
  };
}

/** The app bundle with node_modules external, the alternative to bundling the providers (same depth as dist/app). */
async function externalAppBundle(): Promise<string> {
  const app = (await import(path.join(ROOT, "scripts", "build-app.mjs"))) as {
    appBuildOptions(): BuildOptions;
  };
  const outfile = path.join(ROOT, "dist", "bench-app-external", "main.js");
  const result = await build({
    ...app.appBuildOptions(),
    entryPoints: ["main.ts"],
    outdir: undefined,
    entryNames: undefined,
    outfile,
    packages: "external",
  });
  mkdirSync(path.dirname(outfile), { recursive: true });
  writeFileSync(outfile, result.outputFiles![0].contents);
  return outfile;
}

export async function synth(): Promise<void> {
  const externalApp = await externalAppBundle();
  try {
    await synthFigures(externalApp);
  } finally {
    rmSync(path.dirname(externalApp), { recursive: true, force: true });
  }
}

async function synthFigures(externalApp: string): Promise<void> {
  const { npm, npx } = npmCommands();
  const fastSynth = (outdir = fresh("fast")): number =>
    timed(npm[0], [...npm.slice(1), "run", "--silent", "synth", "--", "--output", outdir]);
  const templateSynth = (outdir = fresh("template")): number =>
    timed(npx[0], [
      ...npx.slice(1),
      "--no-install",
      "cdktf",
      "synth",
      "--app",
      TEMPLATE_APP,
      "--output",
      outdir,
    ]);

  // Warm-up (file cache, the app bundle and its code cache), and proof that both write the same tree.
  const [fastDir, templateDir] = [fresh("fast"), fresh("template")];
  fastSynth(fastDir);
  templateSynth(templateDir);
  if (JSON.stringify(tree(fastDir)) !== JSON.stringify(tree(templateDir))) {
    throw new Error(
      "npm run synth and the template's cdktf synth wrote different files: the bench would compare unlike things",
    );
  }
  const [fast, template] = interleaved(3, [fastSynth, templateSynth]);
  figure(
    "synth",
    { label: "`npm run synth` (example config, three stacks)", value: fast / 1000, unit: "s" },
    {
      label: "cdktf template default (`cdktf synth`, app `npx ts-node main.ts`)",
      value: template / 1000,
      unit: "s",
    },
    { text: "≤ 0.25×", met: fast <= 0.25 * template },
  );

  // The app phase of `cdktf diff/deploy`: the app command alone, run by a shell with the CLI's environment.
  const appCommand = JSON.parse(readFileSync(path.join(ROOT, "cdktf.json"), "utf8")).app as string;
  const app = (command: string) => (): number => {
    const outdir = fresh("app");
    return timed(command, [], { shell: true, env: cliAppEnv(outdir) });
  };
  const node = JSON.stringify(process.execPath);
  const [ours, theirs, tsx, bundled, external] = interleaved(5, [
    app(appCommand),
    app(TEMPLATE_APP),
    app(`${node} ${JSON.stringify(path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"))} main.ts`),
    app(`${node} dist/app/main.js`),
    app(`${node} ${JSON.stringify(externalApp)}`),
  ]);
  figure(
    "synth",
    { label: `app phase of \`cdktf diff/deploy\` (\`${appCommand}\`)`, value: ours / 1000, unit: "s" },
    { label: "template app command (`npx ts-node main.ts`)", value: theirs / 1000, unit: "s" },
    { text: "< 0.5 s", met: ours < 500 },
  );
  figure(
    "synth",
    { label: "app alone: the bundle (`node scripts/app.mjs`)", value: ours / 1000, unit: "s" },
    { label: "the TypeScript sources under tsx (`tsx main.ts`)", value: tsx / 1000, unit: "s" },
  );
  figure(
    "synth",
    { label: "app bundle, providers bundled (`node dist/app/main.js`)", value: bundled / 1000, unit: "s" },
    { label: "node_modules left external (`packages: external`)", value: external / 1000, unit: "s" },
  );

  await validate(npm);
}

/** `npm run validate` (the bundled config check) against the TypeScript source under tsx. */
async function validate(npm: string[]): Promise<void> {
  const tsx = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
  const bundled = () => timed(npm[0], [...npm.slice(1), "run", "--silent", "validate", "--", "--quiet"]);
  const sources = () => timed(process.execPath, [tsx, "cli/validate.ts", "--quiet"]);
  bundled();
  const [ms, tsxMs] = interleaved(5, [bundled, sources]);
  figure(
    "synth",
    { label: "`npm run validate` (config only)", value: ms / 1000, unit: "s" },
    { label: "the TypeScript source under tsx (`tsx cli/validate.ts`)", value: tsxMs / 1000, unit: "s" },
    { text: "< 0.5 s", met: ms < 500 },
  );
}
