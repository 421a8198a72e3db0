import { readFileSync } from "node:fs";
import * as path from "node:path";
import { z } from "zod";
import { bridgeConfigSchema, type BridgeConfig } from "./schema";
import { closest, didYouMean } from "./suggest";
import { jsonProblems, type ConfigProblem } from "./json-syntax";

export { jsonProblems };

export * from "./schema";
export * from "./federation";
export { partitionOfRegion, resolveAccounts, type ResolvedAccounts } from "./accounts";
export { configWarnings } from "./warnings";

/** The example config: what `npm run synth` uses when BRIDGE_CONFIG is not set. */
export const DEFAULT_CONFIG_PATH = path.join(__dirname, "example.json");

export type { ConfigProblem } from "./json-syntax";

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

/** How a config file is named in messages: relative to the working directory when inside it, else absolute. */
export function displayPath(file: string, cwd = process.cwd()): string {
  const absolute = path.resolve(cwd, file);
  const relative = path.relative(cwd, absolute);
  return relative === "" || relative.startsWith("..") || path.isAbsolute(relative) ? absolute : relative;
}

/** Reads and validates a config file. */
export function loadConfig(file: string): BridgeConfig {
  const source = displayPath(file);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message;
    throw new ConfigError(source, [
      { path: source, message: `expected a readable JSON file (${reason})`, value: JSON.stringify(source) },
    ]);
  }
  const syntax = jsonProblems(text, source);
  if (syntax.length > 0) throw new ConfigError(source, syntax);
  return parseConfig(JSON.parse(text), source);
}

/** Validates a parsed config object. */
export function parseConfig(raw: unknown, source = "(inline)"): BridgeConfig {
  const result = bridgeConfigSchema.safeParse(raw, { error: defaultMessage, reportInput: true });
  // `$schema` is for editors only: nothing downstream sees it.
  if (result.success) return omitSchemaKey(result.data);
  throw new ConfigError(
    source,
    result.error.issues.flatMap((issue) => toProblems(issue, raw)),
  );
}

const quoted = (text: string) => [...text.matchAll(/"([^"]+)"/g)].map((m) => m[1]);

function omitSchemaKey(config: BridgeConfig): BridgeConfig {
  const rest: BridgeConfig = { ...config };
  delete rest.$schema;
  return rest;
}

function toProblems(issue: z.core.$ZodIssue, raw: unknown): ConfigProblem[] {
  if (issue.code === "invalid_union") {
    // A value may take one of several forms: report the problems of the form its type matches.
    const matching = issue.errors.filter((errors) => !typeMismatch(errors));
    if (matching.length === 1) {
      return matching[0].flatMap((e) =>
        toProblems({ ...e, path: [...issue.path, ...e.path] } as z.core.$ZodIssue, raw),
      );
    }
  }
  if (issue.code === "unrecognized_keys") {
    const obj = valueAt(raw, issue.path) as Record<string, unknown>;
    const known = knownKeys(issue.path, raw);
    return issue.keys.map((key) => {
      const near = closest(key, known);
      return {
        path: formatPath([...issue.path, key]),
        message:
          (near === undefined
            ? "unknown key; "
            : `unknown key; did you mean ${formatPath([...issue.path, near])}? `) +
          `expected one of ${known.join(", ")}`,
        value: describe(obj?.[key]),
      };
    });
  }
  if (issue.code === "invalid_key") {
    // A bad record key: show the key, with the key schema's own message.
    const key = issue.path.at(-1);
    const near = typeof key === "string" ? closest(key, knownKeys(issue.path.slice(0, -1), raw)) : undefined;
    return [
      {
        path: formatPath(issue.path),
        message:
          (issue.issues[0]?.message ?? issue.message) +
          (near === undefined ? "" : `; did you mean ${formatPath([...issue.path.slice(0, -1), near])}?`),
        value: describe(key),
      },
    ];
  }
  // The raw value where it can be found; inside a JSON-string policy, what zod was given.
  const value =
    valueAt(raw, issue.path) ?? (issue.code === "custom" ? undefined : (issue as { input?: unknown }).input);
  const message =
    value === undefined && issue.code === "invalid_type" && !issue.message.startsWith("required")
      ? `required: ${issue.message}`
      : issue.code === "invalid_value"
        ? issue.message + didYouMean(value, issue.values.map(String))
        : issue.code === "invalid_union" && issue.errors.length === 0
          ? // No option's discriminator matched: the message quotes the discriminator and its values.
            issue.message +
            didYouMean(
              value,
              quoted(issue.message).filter((q) => q !== issue.path.at(-1)),
            )
          : issue.message;
  return [{ path: formatPath(issue.path), message, value: describe(value) }];
}

/** True when a union option failed on the value's type itself (so another option was meant). */
function typeMismatch(errors: readonly z.core.$ZodIssue[]): boolean {
  return errors.some(
    (e) =>
      e.path.length === 0 &&
      (e.code === "invalid_type" ||
        (e.code === "invalid_union" && e.errors.every((inner) => typeMismatch(inner)))),
  );
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
  const keys = new Set<string>();
  const seen = new Set<string>();
  const ids = new Map<z.core.$ZodType, number>();
  const walk = (schema: z.core.$ZodType | undefined, depth: number): void => {
    if (schema === undefined) return;
    if (!ids.has(schema)) ids.set(schema, ids.size);
    const visit = `${ids.get(schema)}@${depth}`;
    if (seen.has(visit)) return;
    seen.add(visit);
    const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
    if (["default", "prefault", "optional", "nullable", "readonly", "catch"].includes(def.type)) {
      walk(def.innerType as z.core.$ZodType, depth);
    } else if (def.type === "pipe") {
      // A transform's input and output may both be objects (a policy as text, then parsed): try both.
      walk(def.in as z.core.$ZodType, depth);
      walk(def.out as z.core.$ZodType, depth);
    } else if (def.type === "union") {
      // A discriminated union: follow the option whose `type` literal the input names, else every option.
      const kind = (valueAt(raw, p.slice(0, depth)) as { type?: unknown } | undefined)?.type;
      const options = def.options as z.ZodObject[];
      const chosen = options.filter((o) => o.shape?.type?.def?.values?.includes(kind as never));
      for (const option of chosen.length > 0 ? chosen : options) walk(option, depth);
    } else if (depth === p.length) {
      if (def.type === "object") {
        for (const [k, field] of Object.entries(def.shape as Record<string, z.core.$ZodType>)) {
          // A key declared only to be refused with its own message (a policy's Principal) is not "known".
          const inner = field._zod.def as unknown as { type: string; innerType?: z.core.$ZodType };
          if ((inner.type === "optional" ? inner.innerType?._zod.def.type : inner.type) !== "never")
            keys.add(k);
        }
      }
      if (def.type === "record") {
        const keyDef = (def.keyType as z.core.$ZodType)._zod.def as unknown as {
          type: string;
          entries?: object;
        };
        if (keyDef.type === "enum" && keyDef.entries)
          for (const k of Object.keys(keyDef.entries)) keys.add(k);
      }
    } else if (def.type === "object") {
      walk((def.shape as Record<string, z.core.$ZodType>)[String(p[depth])], depth + 1);
    } else if (def.type === "array" || def.type === "record") {
      walk((def.type === "array" ? def.element : def.valueType) as z.core.$ZodType, depth + 1);
    }
  };
  walk(bridgeConfigSchema, 0);
  return [...keys];
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
    // A policy may be given as JSON text: look inside it.
    if (typeof v === "string" && /^\s*[[{]/.test(v)) {
      try {
        v = JSON.parse(v);
      } catch {
        return undefined;
      }
    }
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
