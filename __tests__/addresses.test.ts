/**
 * No change may replace a deployed resource unnoticed: every resource address of every stack of every test
 * config (the committed list __tests__/fixtures/synth/addresses.json) must still be synthesized, or be the
 * `from` of a Terraform moved block in its stack. New resources, stacks and configs are fine; record them with
 * `npx tsx scripts/resource-addresses.ts --update` so a later rename of them is caught too.
 */
import {
  committedAddresses,
  lostAddresses,
  lostAddressesMessage,
  REQUIRED_CONFIGS,
  synthesizedStacks,
  testConfigs,
  UPDATE_COMMAND,
  type StackAddresses,
} from "./helpers/resource-addresses";

const committed = committedAddresses();
const current: Record<string, Record<string, StackAddresses>> = Object.fromEntries(
  testConfigs().map((config) => [config, synthesizedStacks(config)]),
);

describe("resource addresses of every stack of every test config", () => {
  it.each(Object.keys(committed))("%s: every committed address is synthesized or moved", (config) => {
    const lost = lostAddresses({ [config]: committed[config] }, current);
    if (lost.length > 0) throw new Error(lostAddressesMessage(lost));
  });

  it("the committed list holds every required test config, so it can never pass by being empty", () => {
    expect(Object.keys(committed)).toEqual(expect.arrayContaining([...REQUIRED_CONFIGS]));
    for (const config of REQUIRED_CONFIGS)
      expect(Object.values(committed[config]).flat().length).toBeGreaterThan(10);
  });

  it("holds every stack the bridge and the bootstrap synthesize (the app's and the bootstrap's)", () => {
    const example = Object.keys(current["config/example.json"]);
    expect(example).toEqual(
      expect.arrayContaining([
        "prod-identity-center",
        "prod-cognito",
        "prod-cloudflare-access",
        "prod-bootstrap",
      ]),
    );
  });
});

describe("the check itself", () => {
  const stack = (addresses: string[], movedFrom: string[] = []): StackAddresses => ({ addresses, movedFrom });
  const list = { "c.json": { "prod-cognito": ["aws_cognito_user_pool.pool", "aws_lambda_function.fn"] } };

  it("passes additions and addresses explained by a moved block", () => {
    expect(
      lostAddresses(list, {
        "c.json": {
          "prod-cognito": stack(
            ["aws_cognito_user_pool.pool_new", "aws_lambda_function.fn", "aws_sqs_queue.q"],
            ["aws_cognito_user_pool.pool"],
          ),
        },
      }),
    ).toEqual([]);
  });

  it("fails on a renamed resource, a moved block in another stack, a lost stack or config", () => {
    const renamed = { "prod-cognito": stack(["aws_cognito_user_pool.pool_new", "aws_lambda_function.fn"]) };
    expect(lostAddresses(list, { "c.json": renamed })).toEqual([
      { config: "c.json", stack: "prod-cognito", address: "aws_cognito_user_pool.pool" },
    ]);
    const elsewhere = {
      "prod-cognito": stack(["aws_lambda_function.fn"]),
      "prod-identity-center": stack([], ["aws_cognito_user_pool.pool"]),
    };
    expect(lostAddresses(list, { "c.json": elsewhere }).map((l) => l.address)).toEqual([
      "aws_cognito_user_pool.pool",
    ]);
    expect(lostAddresses(list, { "c.json": {} })).toHaveLength(2);
    expect(lostAddresses(list, {})).toHaveLength(2);
  });

  it("tells the developer which address, why it matters and exactly what to write", () => {
    const message = lostAddressesMessage([
      { config: "c.json", stack: "prod-cognito", address: "aws_cognito_user_pool.user-pool_pool_1A2B3C4D" },
    ]);
    expect(message).toContain("prod-cognito (c.json):\n    aws_cognito_user_pool.user-pool_pool_1A2B3C4D");
    expect(message).toContain("DESTROY");
    expect(message).toContain('resource.moveFromId("aws_cognito_user_pool.user-pool_pool_1A2B3C4D")');
    expect(message).toContain('resource.overrideLogicalId("user-pool_pool_1A2B3C4D")');
    expect(message).toContain(`${UPDATE_COMMAND} --allow-removals`);
  });
});
