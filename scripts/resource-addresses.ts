/**
 * Rewrites __tests__/fixtures/synth/addresses.json, the committed resource addresses of every stack of every
 * test config that __tests__/addresses.test.ts holds the stacks to.
 *
 *   npx tsx scripts/resource-addresses.ts            shows what changed (exit 1 if an address is lost)
 *   npx tsx scripts/resource-addresses.ts --update   records new addresses; refuses while one is lost
 *   … --update --allow-removals                      also drops lost addresses (resources meant to be destroyed)
 */
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import * as prettier from "prettier";
import {
  ADDRESSES_FILE,
  addressList,
  committedAddresses,
  lostAddresses,
  lostAddressesMessage,
  synthesizedStacks,
  testConfigs,
} from "../__tests__/helpers/resource-addresses";
import { removeTempDirs } from "../__tests__/helpers/temp-dirs";

async function main(args: string[]): Promise<number> {
  const unknown = args.filter((arg) => !["--update", "--allow-removals"].includes(arg));
  if (unknown.length > 0) {
    console.error(`unknown argument(s) ${unknown.join(" ")} (expected --update [--allow-removals])`);
    return 2;
  }
  const current = Object.fromEntries(testConfigs().map((config) => [config, synthesizedStacks(config)]));
  const committed = committedAddresses();
  const next = addressList(current);
  const lost = lostAddresses(committed, current);
  const added = Object.entries(next).flatMap(([config, stacks]) =>
    Object.entries(stacks).flatMap(([stack, addresses]) =>
      addresses
        .filter((a) => !committed[config]?.[stack]?.includes(a))
        .map((a) => `${stack} (${config}): ${a}`),
    ),
  );
  for (const line of added) console.log(`+ ${line}`);
  if (lost.length > 0) console.error(lostAddressesMessage(lost));
  if (!args.includes("--update")) return lost.length > 0 ? 1 : 0;
  if (lost.length > 0 && !args.includes("--allow-removals")) {
    console.error(`\n${path.relative(process.cwd(), ADDRESSES_FILE)} left as it was.`);
    return 1;
  }
  const text = await prettier.format(JSON.stringify(next), {
    ...(await prettier.resolveConfig(ADDRESSES_FILE)),
    filepath: ADDRESSES_FILE,
  });
  writeFileSync(ADDRESSES_FILE, text);
  console.log(
    `wrote ${path.relative(process.cwd(), ADDRESSES_FILE)} (${added.length} added, ${lost.length} removed)`,
  );
  return 0;
}

main(process.argv.slice(2))
  .then((code) => (process.exitCode = code))
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(removeTempDirs);
