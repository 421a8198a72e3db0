/**
 * The drift workflow's issue step, run as actions/github-script runs it (an async function of `github`,
 * `context`, `core` and `require`) against an in-memory issue tracker: one issue per environment, opened on
 * drift, updated while drift lasts, closed when every stack is clean, left alone when a check failed.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { tempDir } from "../helpers/temp-dirs";

const WORKFLOW = path.join(__dirname, "..", "..", ".github", "workflows", "drift.yml");

interface Issue {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  pull_request?: object;
  comments: string[];
}

function issueStep() {
  const wf = parse(readFileSync(WORKFLOW, "utf8"));
  const step = wf.jobs.report.steps.find((s: { uses?: string }) =>
    s.uses?.startsWith("actions/github-script@"),
  );
  return { script: step.with.script as string, env: step.env as Record<string, string> };
}

/** A GitHub issues API as much as the script uses of it (listForRepo returns open issues only). */
function tracker(initial: Issue[] = []) {
  const issues = [...initial];
  const api = {
    listForRepo: async (p: { state: string }) => ({ data: issues.filter((i) => i.state === p.state) }),
    create: async (p: { title: string; body: string }) => {
      const issue: Issue = { number: issues.length + 100, ...p, state: "open", comments: [] };
      issues.push(issue);
      return { data: issue };
    },
    update: async (p: { issue_number: number; body?: string; state?: "closed" }) => {
      const issue = issues.find((i) => i.number === p.issue_number)!;
      if (p.body !== undefined) issue.body = p.body;
      if (p.state !== undefined) issue.state = p.state;
      return { data: issue };
    },
    createComment: async (p: { issue_number: number; body: string }) => {
      issues.find((i) => i.number === p.issue_number)!.comments.push(p.body);
      return { data: {} };
    },
  };
  const github = {
    rest: { issues: api },
    paginate: async (fn: (p: object) => Promise<{ data: unknown[] }>, p: object) => (await fn(p)).data,
  };
  return { issues, github };
}

async function runStep(
  results: Record<string, "clean" | "drift" | "failed" | "waiting" | undefined>,
  github: unknown,
  environment = "prod",
) {
  const { script, env } = issueStep();
  const dir = tempDir("bridge-drift-");
  for (const [stack, status] of Object.entries(results)) {
    if (status === undefined) continue; // the stack's job died before reporting
    const d = path.join(dir, `drift-${stack}`);
    mkdirSync(d);
    writeFileSync(path.join(d, "drift.json"), JSON.stringify({ stack, status }));
    writeFileSync(path.join(d, "report.md"), `### Terraform drift: \`${stack}\` — ${status}\n`);
  }
  expect(Object.keys(env).sort()).toEqual(["DRIFT_DIR", "DRIFT_ENVIRONMENT", "DRIFT_STACKS"]);
  const saved = { ...process.env };
  Object.assign(process.env, {
    DRIFT_DIR: dir,
    DRIFT_ENVIRONMENT: environment,
    DRIFT_STACKS: JSON.stringify(Object.keys(results)),
  });
  const core = { notice: jest.fn(), setFailed: jest.fn() };
  const context = { repo: { owner: "acme", repo: "bridge" }, serverUrl: "https://github.com", runId: 42 };
  try {
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
    await new AsyncFunction("github", "context", "core", "require", script)(github, context, core, require);
  } finally {
    process.env = saved;
  }
  return core;
}

const stacks = (ic: string | undefined, cognito: string | undefined, cf: string | undefined) =>
  ({ "prod-identity-center": ic, "prod-cognito": cognito, "prod-cloudflare-access": cf }) as Record<
    string,
    "clean" | "drift" | "failed" | "waiting" | undefined
  >;

describe("drift issue", () => {
  it("opens one issue naming the drifted stacks, then updates the same issue", async () => {
    const { issues, github } = tracker([
      { number: 1, title: "unrelated", body: "hello", state: "open", comments: [] },
    ]);
    const core = await runStep(stacks("clean", "drift", "clean"), github);
    expect(core.setFailed).not.toHaveBeenCalled();
    const opened = issues.filter((i) => i.title === "Infrastructure drift in prod");
    expect(opened).toHaveLength(1);
    expect(opened[0].body).toContain("drift in `prod-cognito` of environment `prod`");
    expect(opened[0].body).toContain("https://github.com/acme/bridge/actions/runs/42");
    expect(opened[0].body).toContain("### Terraform drift: `prod-identity-center` — clean");

    await runStep(stacks("drift", "drift", "clean"), github);
    expect(issues.filter((i) => i.title === "Infrastructure drift in prod")).toHaveLength(1);
    expect(opened[0].body).toContain("drift in `prod-identity-center`, `prod-cognito`");
    expect(issues[0]).toMatchObject({ body: "hello", state: "open" });
  });

  it("closes the environment's issue with a comment once every stack is clean", async () => {
    const { issues, github } = tracker();
    await runStep(stacks("drift", "clean", "clean"), github);
    await runStep(stacks("clean", "clean", "clean"), github);
    expect(issues).toHaveLength(1);
    expect(issues[0].state).toBe("closed");
    expect(issues[0].comments).toEqual([
      "No drift in `prod` any more (https://github.com/acme/bridge/actions/runs/42).",
    ]);
    // Clean with no issue open: nothing happens.
    await runStep(stacks("clean", "clean", "clean"), github);
    expect(issues).toHaveLength(1);
  });

  it("keeps the issue open and fails the run when a check failed or never reported", async () => {
    const { issues, github } = tracker();
    await runStep(stacks("drift", "clean", "clean"), github);
    const core = await runStep(stacks("clean", "failed", undefined), github);
    expect(issues[0].state).toBe("open");
    expect(core.setFailed).toHaveBeenCalledWith(
      "drift check failed for prod-cognito, prod-cloudflare-access",
    );
  });

  it("counts a stack never applied yet (waiting for its upstream stack) as neither drift nor failure", async () => {
    const { issues, github } = tracker();
    await runStep(stacks("drift", "clean", "clean"), github);
    const core = await runStep(stacks("clean", "waiting", "waiting"), github);
    expect(core.setFailed).not.toHaveBeenCalled();
    expect(issues[0].state).toBe("closed");
  });

  it("keeps one issue per environment", async () => {
    const { issues, github } = tracker();
    await runStep(stacks("drift", "clean", "clean"), github, "prod");
    await runStep(
      { "stage-identity-center": "drift", "stage-cognito": "clean", "stage-cloudflare-access": "clean" },
      github,
      "stage",
    );
    expect(issues.map((i) => i.title).sort()).toEqual([
      "Infrastructure drift in prod",
      "Infrastructure drift in stage",
    ]);
    await runStep(
      { "stage-identity-center": "clean", "stage-cognito": "clean", "stage-cloudflare-access": "clean" },
      github,
      "stage",
    );
    expect(issues.map((i) => [i.title, i.state])).toEqual([
      ["Infrastructure drift in prod", "open"],
      ["Infrastructure drift in stage", "closed"],
    ]);
  });

  it("ignores pull requests, which the issues API lists too", async () => {
    const pr: Issue = {
      number: 7,
      title: "a pull request quoting the marker",
      body: "<!-- idc-oidc-bridge drift: prod -->",
      state: "open",
      pull_request: {},
      comments: [],
    };
    const { issues, github } = tracker([pr]);
    await runStep(stacks("drift", "clean", "clean"), github);
    expect(pr.body).toBe("<!-- idc-oidc-bridge drift: prod -->");
    expect(issues.filter((i) => i.pull_request === undefined)).toHaveLength(1);
  });
});
