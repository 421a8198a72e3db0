import { readFileSync } from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { bridgeConfigSchema, type BridgeConfig } from "./schema";

export * from "./schema";
export * from "./federation";
export { partitionOfRegion, resolveAccounts, type ResolvedAccounts } from "./accounts";

/** The example config: what `npm run synth` uses when BRIDGE_CONFIG is not set. */
export const DEFAULT_CONFIG_PATH = path.join(__dirname, "example.json");

/** One problem in a config: where, what was there, what was expected. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
  readonly value: string;
}

/** Thrown before anything is synthesized; lists every problem at once. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly ConfigProblem[],
  ) {
    super(
      `Invalid config ${source} (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${p.path}: ${p.message}; got ${p.value}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

/** The config file chosen by `BRIDGE_CONFIG`, else the example. */
export function resolveConfigPath(env: NodeJS.ProcessEnv): string {
  return env.BRIDGE_CONFIG ? path.resolve(env.BRIDGE_CONFIG) : DEFAULT_CONFIG_PATH;
}

/** Reads and validates a config file. */
export function loadConfig(file: string): BridgeConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError(file, [
      {
        path: "(file)",
        message: `expected a readable JSON file (${(e as Error).message})`,
        value: JSON.stringify(file),
      },
    ]);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(file, [
      { path: "(file)", message: `expected valid JSON (${(e as Error).message})`, value: "unparseable text" },
    ]);
  }
  return parseConfig(raw, file);
}

/** Validates a parsed config object. */
export function parseConfig(raw: unknown, source = "(inline)"): BridgeConfig {
  const result = bridgeConfigSchema.safeParse(raw, { error: defaultMessage });
  if (result.success) return result.data;
  throw new ConfigError(
    source,
    result.error.issues.flatMap((issue) => toProblems(issue, raw)),
  );
}

function toProblems(issue: z.core.$ZodIssue, raw: unknown): ConfigProblem[] {
  if (issue.code === "unrecognized_keys") {
    const obj = valueAt(raw, issue.path) as Record<string, unknown>;
    return issue.keys.map((key) => ({
      path: formatPath([...issue.path, key]),
      message: `unknown key; expected one of ${knownKeys(issue.path, raw).join(", ")}`,
      value: describe(obj?.[key]),
    }));
  }
  if (issue.code === "invalid_key") {
    // A bad record key: show the key, with the key schema's own message.
    return [
      {
        path: formatPath(issue.path),
        message: issue.issues[0]?.message ?? issue.message,
        value: describe(issue.path.at(-1)),
      },
    ];
  }
  const value = valueAt(raw, issue.path);
  const message =
    value === undefined && issue.code === "invalid_type" && !issue.message.startsWith("required")
      ? `required: ${issue.message}`
      : issue.message;
  return [{ path: formatPath(issue.path), message, value: describe(value) }];
}

// Messages for zod's built-in checks, phrased as "expected ...".
function defaultMessage(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case "invalid_type":
      return issue.input === undefined
        ? `required: expected ${article(issue.expected)}`
        : `expected ${article(issue.expected)}`;
    case "too_small":
      return issue.origin === "array"
        ? `expected at least ${issue.minimum} item(s)`
        : issue.origin === "string"
          ? `expected at least ${issue.minimum} character(s)`
          : `expected a value >= ${issue.minimum}`;
    case "too_big":
      return issue.origin === "array"
        ? `expected at most ${issue.maximum} item(s)`
        : issue.origin === "string"
          ? `expected at most ${issue.maximum} characters`
          : `expected a value <= ${issue.maximum}`;
    case "invalid_value":
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    default:
      return undefined;
  }
}

/** The keys the schema allows for the object at `p` (for "unknown key" messages). */
function knownKeys(p: readonly PropertyKey[], raw: unknown): string[] {
  let schema: z.core.$ZodType | undefined = bridgeConfigSchema;
  let depth = 0;
  while (schema) {
    const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
    const wrapped = ["default", "prefault", "optional", "nullable"].includes(def.type);
    if (wrapped) {
      schema = def.innerType as z.core.$ZodType;
    } else if (def.type === "pipe") {
      schema = def.in as z.core.$ZodType;
    } else if (def.type === "union") {
      // A discriminated union: follow the option whose `type` literal the input names.
      const kind = (valueAt(raw, p.slice(0, depth)) as { type?: unknown } | undefined)?.type;
      const options = def.options as z.ZodObject[];
      schema = options.find((o) => o.shape?.type?.def?.values?.includes(kind as never)) ?? options[0];
    } else if (depth === p.length) {
      break;
    } else if (def.type === "object") {
      schema = (def.shape as Record<string, z.core.$ZodType>)[String(p[depth++])];
    } else if (def.type === "array" || def.type === "record") {
      schema = (def.type === "array" ? def.element : def.valueType) as z.core.$ZodType;
      depth++;
    } else {
      return [];
    }
  }
  const shape = (schema as z.ZodObject | undefined)?.shape;
  return shape ? Object.keys(shape) : [];
}

function article(type: string): string {
  const names: Record<string, string> = {
    object: "an object",
    array: "an array",
    string: "a string",
    number: "a number",
    boolean: "true or false",
    int: "an integer",
  };
  return names[type] ?? type;
}

function valueAt(raw: unknown, p: readonly PropertyKey[]): unknown {
  let v: unknown = raw;
  for (const key of p) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function formatPath(p: readonly PropertyKey[]): string {
  if (p.length === 0) return "(root)";
  return p
    .map((k, i) =>
      typeof k === "number"
        ? `[${k}]`
        : /^[A-Za-z_$][\w$]*$/.test(String(k))
          ? `${i ? "." : ""}${String(k)}`
          : `[${JSON.stringify(String(k))}]`,
    )
    .join("");
}

function describe(v: unknown): string {
  if (v === undefined) return "nothing";
  const s = JSON.stringify(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
