/** The frame every command in cli/ runs in (cli/shared/command.ts): help, usage errors, exit codes, error lines. */
import { ConfigError } from "../../config";
import { configWith } from "../helpers/stacks";
import { captureConsole, type CapturedConsole } from "../helpers/cli";
import { expectEnvironment, runAsyncCommand, runCommand, UsageError } from "../../cli/shared/command";

const USAGE = "Usage: npm run demo -- --name NAME [--loud]";
const DEMO = {
  name: "demo",
  usage: USAGE,
  options: {
    name: { type: "string" },
    greeting: { type: "string", default: "hello" },
    loud: { type: "boolean", default: false },
  },
  required: ["name"],
} as const;

let io: CapturedConsole;
beforeEach(() => (io = captureConsole()));
afterEach(() => jest.restoreAllMocks());

/** Prints a greeting; `name` is typed string because it is required. */
const greet = (argv: string[]) =>
  runCommand(DEMO, argv, ({ values }) => {
    const text = `${values.greeting} ${values.name.toUpperCase()}`;
    console.log(values.loud ? `${text}!` : text);
    return 0;
  });

describe("runCommand", () => {
  it("runs with the parsed options and returns the command's exit code", () => {
    expect(greet(["--name", "ada", "--loud"])).toBe(0);
    expect(io.log).toEqual(["hello ADA!"]);
    expect(io.error).toEqual([]);
  });

  it("prints the usage for -h and --help, exit 0, without checking the other options", () => {
    for (const flag of ["-h", "--help"]) {
      io.log.length = 0;
      expect(greet([flag])).toBe(0);
      expect(io.log).toEqual([USAGE]);
    }
    expect(io.error).toEqual([]);
  });

  it.each([
    [["--name", "ada", "--bogus"], "demo: Unknown option '--bogus'"],
    [["--name", "ada", "extra"], "demo: Unexpected argument 'extra'"],
    [["--name"], "demo: Option '--name <value>' argument missing"],
    [[], "demo: --name is required"],
    [["--name", ""], "demo: --name is required"],
    [["--name", "ada", "--greeting", ""], "demo: --greeting must not be empty"],
  ])("answers %j with a usage error: the message, then the usage, exit 2", (argv, message) => {
    expect(greet(argv)).toBe(2);
    expect(io.error[0]).toMatch(new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}`));
    expect(io.error[1]).toBe(`\n${USAGE}`);
    expect(io.log).toEqual([]);
  });

  it("takes positional arguments only when the command allows them", () => {
    const files = (argv: string[]) =>
      runCommand({ name: "files", usage: USAGE, options: {}, positionals: true }, argv, ({ positionals }) => {
        console.log(positionals.join(","));
        return 0;
      });
    expect(files(["a", "b"])).toBe(0);
    expect(io.log).toEqual(["a,b"]);
  });

  it("prints any other error after the command's name, exit 1, without the usage", () => {
    const code = runCommand(DEMO, ["--name", "ada"], () => {
      throw new Error("stack prod-cognito has no outputs");
    });
    expect(code).toBe(1);
    expect(io.error).toEqual(["demo: stack prod-cognito has no outputs"]);
  });

  it("prints a config error as it is: it names the file and each problem", () => {
    const code = runCommand(DEMO, ["--name", "ada"], () => {
      throw new ConfigError("prod.json", [{ path: "environment", message: "expected prod", value: '"qa"' }]);
    });
    expect(code).toBe(1);
    expect(io.error).toEqual([
      'Invalid config prod.json (1 problem):\n  - environment: expected prod; got "qa"',
    ]);
  });

  it("throws UsageError from the command body as a usage error", () => {
    const code = runCommand(DEMO, ["--name", "ada", "--loud"], () => {
      throw new UsageError("--loud and --quiet exclude each other");
    });
    expect(code).toBe(2);
    expect(io.error).toEqual(["demo: --loud and --quiet exclude each other", `\n${USAGE}`]);
  });
});

describe("runAsyncCommand", () => {
  it("resolves to the exit code, a rejection to 1 with the error detail the command adds", async () => {
    const command = {
      ...DEMO,

      errorDetail: (e: Error) => (e.name === "AccessDeniedException" ? " (IAM Identity Center: denied)" : ""),
    };
    expect(await runAsyncCommand(command, ["--name", "ada"], async () => 0)).toBe(0);
    const denied = Object.assign(new Error("not allowed"), { name: "AccessDeniedException" });
    expect(await runAsyncCommand(command, ["--name", "ada"], () => Promise.reject(denied))).toBe(1);
    expect(io.error).toEqual(["demo: not allowed (IAM Identity Center: denied)"]);
    expect(await runAsyncCommand(command, ["--bogus"], async () => 0)).toBe(2);
  });
});

describe("expectEnvironment", () => {
  it("accepts the config of the environment given with --env, and names the field otherwise", () => {
    const config = configWith();
    expect(() => expectEnvironment(config, config.environment, "config/prod.json")).not.toThrow();
    expect(() => expectEnvironment(config, "qa", "config/prod.json")).toThrow(
      `Invalid config config/prod.json (1 problem):\n  - environment: expected the environment given with --env (qa); got "${config.environment}"`,
    );
  });
});
