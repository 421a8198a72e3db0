/**
 * The Terraform resource addresses (`<type>.<name>`) of every stack of every test config, and the `moved`
 * blocks that explain an address that is gone. A deployed environment keeps its state by address: a resource
 * whose address disappears is destroyed and created again by the next apply (a replaced user pool loses every
 * user), unless the stack says where it went with a `moved` block. __tests__/addresses.test.ts holds the
 * synthesized addresses against the committed list (ADDRESSES_FILE); scripts/resource-addresses.ts rewrites it.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { bootstrapSettings } from "../../config/bootstrap";
import { parse } from "jsonc-parser";
import { loadConfig, parseConfig, type BridgeConfig } from "../../config";
import { synthBridge } from "./stacks";
import { tempDir } from "./temp-dirs";

const ROOT = path.join(__dirname, "..", "..");

/** The committed list: config file → stack → sorted addresses. */
export const ADDRESSES_FILE = path.join(ROOT, "__tests__", "fixtures", "synth", "addresses.json");

/** How to rewrite the committed list (printed by the test and the script). */
export const UPDATE_COMMAND = "npx tsx scripts/resource-addresses.ts --update";

/** The test configs (relative to the project root); optional ones are checked when present. */
export const REQUIRED_CONFIGS = [
  "config/example.json",
  "__tests__/fixtures/config/federated.json",
  "__tests__/fixtures/config/rich.json",
];
const OPTIONAL_CONFIGS = ["__tests__/fixtures/config/two-account.json"];

export function testConfigs(): string[] {
  return [...REQUIRED_CONFIGS, ...OPTIONAL_CONFIGS.filter((file) => existsSync(path.join(ROOT, file)))];
}

/** Config file → stack name → sorted resource addresses. */
export type AddressList = Record<string, Record<string, string[]>>;

/** What one synthesized stack holds: its resource addresses and the `from` of each of its moved blocks. */
export interface StackAddresses {
  readonly addresses: string[];
  readonly movedFrom: string[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function addressesOfStackJson(stackJson: Record<string, any>): StackAddresses {
  const addresses = Object.entries(stackJson.resource ?? {}).flatMap(([type, byName]) =>
    Object.keys(byName as object).map((name) => `${type}.${name}`),
  );
  const moved = (stackJson.moved ?? []) as Array<{ from: string }>;
  return { addresses: addresses.sort(), movedFrom: moved.map((block) => block.from).sort() };
}

function stacksOfOutdir(outdir: string): Record<string, StackAddresses> {
  const manifest = JSON.parse(readFileSync(path.join(outdir, "manifest.json"), "utf8")) as {
    stacks: Record<string, { synthesizedStackPath: string }>;
  };
  return Object.fromEntries(
    Object.entries(manifest.stacks).map(([name, stack]) => [
      name,
      addressesOfStackJson(JSON.parse(readFileSync(path.join(outdir, stack.synthesizedStackPath), "utf8"))),
    ]),
  );
}

/**
 * The bootstrap stack of a config (`npm run bootstrap`), when the config can be bootstrapped (an S3 backend);
 * a config without a `bootstrap` block is given the minimal one, so its bootstrap stack is held too.
 */
function bootstrapStack(file: string, config: BridgeConfig): Record<string, StackAddresses> {
  const withBootstrap = config.bootstrap
    ? config
    : parseConfig({
        ...parse(readFileSync(file, "utf8")),
        bootstrap: { github: { repository: "acme/idc-oidc-bridge" } },
      });
  const settings = bootstrapSettings(withBootstrap);
  if (Array.isArray(settings)) return {};
  // Required here: the bootstrap command (and its Terraform runner) only for this.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { synthBootstrap } = require("../../cli/bootstrap") as typeof import("../../cli/bootstrap");
  const outdir = tempDir("bridge-addresses-bootstrap-");
  synthBootstrap(settings, outdir, outdir);
  return stacksOfOutdir(outdir);
}

/** Every stack of one config (relative to the project root), as synthesized now. */
export function synthesizedStacks(configFile: string): Record<string, StackAddresses> {
  const file = path.join(ROOT, configFile);
  const config = loadConfig(file);
  return { ...stacksOfOutdir(synthBridge(config).outdir), ...bootstrapStack(file, config) };
}

/** The committed list, or an empty one when there is none yet. */
export function committedAddresses(): AddressList {
  return existsSync(ADDRESSES_FILE) ? (JSON.parse(readFileSync(ADDRESSES_FILE, "utf8")) as AddressList) : {};
}

/** One address of the committed list that no stack synthesizes now and no moved block explains. */
export interface LostAddress {
  readonly config: string;
  readonly stack: string;
  readonly address: string;
}

/** The committed addresses that are gone without a moved block (a config or stack that is gone loses all). */
export function lostAddresses(
  committed: AddressList,
  current: Record<string, Record<string, StackAddresses>>,
): LostAddress[] {
  const lost: LostAddress[] = [];
  for (const [config, stacks] of Object.entries(committed)) {
    for (const [stack, addresses] of Object.entries(stacks)) {
      const now = current[config]?.[stack];
      const kept = new Set([...(now?.addresses ?? []), ...(now?.movedFrom ?? [])]);
      for (const address of addresses) if (!kept.has(address)) lost.push({ config, stack, address });
    }
  }
  return lost;
}

/** The list to commit: every current address (moved-from addresses are gone once the list says where to). */
export function addressList(current: Record<string, Record<string, StackAddresses>>): AddressList {
  return Object.fromEntries(
    Object.entries(current).map(([config, stacks]) => [
      config,
      Object.fromEntries(Object.entries(stacks).map(([stack, { addresses }]) => [stack, addresses])),
    ]),
  );
}

/** What a developer reads when addresses are lost: which, why it matters, and the two ways out. */
export function lostAddressesMessage(lost: readonly LostAddress[]): string {
  const byStack = new Map<string, string[]>();
  for (const { config, stack, address } of lost) {
    const key = `${stack} (${config})`;
    byStack.set(key, [...(byStack.get(key) ?? []), address]);
  }
  const listing = [...byStack].map(([stack, addresses]) =>
    [`  ${stack}:`, ...addresses.map((address) => `    ${address}`)].join("\n"),
  );
  const [first] = lost;
  return [
    `${lost.length} resource address${lost.length === 1 ? "" : "es"} of ${path.relative(ROOT, ADDRESSES_FILE)} ` +
      "no longer synthesized, and no Terraform moved block says where they went:",
    ...listing,
    "",
    "The next apply would DESTROY each of these resources in every deployed environment and create a new one",
    "(a replaced user pool loses every user). A construct's id and every parent's id are part of the address.",
    "",
    "If you renamed or moved the construct, keep the resource, either way:",
    "  - give the new resource its old address back:",
    `      resource.overrideLogicalId("${first.address.slice(first.address.indexOf(".") + 1)}")`,
    "  - or tell Terraform it moved: on the NEW resource (in the construct that creates it) call",
    `      resource.moveFromId("${first.address}")`,
    "    which writes moved { from = <old address>, to = <new address> } into that stack; keep it for as long",
    "    as any environment may still hold the old address in its state.",
    "Then run this test again. (Keep the committed list as it is: it records what deployed stacks hold.)",
    "",
    "Only if the resource is really meant to be destroyed: regenerate the list and say why in the commit:",
    `  ${UPDATE_COMMAND} --allow-removals`,
  ].join("\n");
}
