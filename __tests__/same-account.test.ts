/**
 * A same-account config synthesizes exactly what it did before cross-account support: the example's three
 * stacks are compared with a snapshot committed before that change. After an intended change to the stacks,
 * regenerate it with `UPDATE_SYNTH_SNAPSHOT=1 npx jest __tests__/same-account.test.ts`, then
 * `npx prettier --write __tests__/fixtures/synth/example-stacks.json`, and review the diff.
 */
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { configWith, json, synthBridge, type TerraformJson } from "./helpers/stacks";

const SNAPSHOT = path.join(__dirname, "fixtures", "synth", "example-stacks.json");

function stacksOf(change: Parameters<typeof configWith>[0] = () => {}): TerraformJson {
  const bridge = synthBridge(configWith(change));
  return {
    identityCenter: json(bridge.identityCenter),
    cognito: json(bridge.cognito),
    cloudflareAccess: json(bridge.cloudflareAccess),
  };
}

describe("a same-account config", () => {
  const example = stacksOf();

  it("synthesizes the example exactly as the committed snapshot", () => {
    if (process.env.UPDATE_SYNTH_SNAPSHOT === "1") {
      writeFileSync(SNAPSHOT, `${JSON.stringify(example, null, 2)}\n`);
    }
    expect(example).toEqual(JSON.parse(readFileSync(SNAPSHOT, "utf8")));
  });

  it("is unchanged by naming its one account, except that each aws provider then insists on it", () => {
    const account = "123456789012";
    const named = stacksOf((c) => {
      c.identityCenter.accountId = account;
      c.identityCenter.assumeRoleArn = `arn:aws:iam::${account}:role/bridge-deploy`;
      c.cognito.accountId = account;
    });
    for (const stack of ["identityCenter", "cognito", "cloudflareAccess"]) {
      const [provider] = named[stack].provider.aws;
      expect(provider.allowed_account_ids).toEqual([account]);
      const withoutAccess = { ...provider };
      delete withoutAccess.allowed_account_ids;
      delete withoutAccess.assume_role;
      expect({ ...named[stack], provider: { ...named[stack].provider, aws: [withoutAccess] } }).toEqual(
        example[stack],
      );
    }
    expect(named.identityCenter.provider.aws[0].assume_role).toEqual([
      { role_arn: `arn:aws:iam::${account}:role/bridge-deploy`, session_name: "prod-identity-center" },
    ]);
    expect(JSON.stringify(named)).not.toContain("identity-store-access");
  });
});
