import { readdirSync, readFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import { parseConfig, type BridgeConfigInput } from "../../config";
import { RICH_CONFIG, synthBridge, type TerraformJson } from "../../__tests__/helpers/stacks";
import {
  IDC_USER_ID_ATTRIBUTE,
  LAST_SIGN_IN_ATTRIBUTE,
  LINK_SIGNATURE_ATTRIBUTE,
} from "../../lambda-src/pre-token-generation/contract";

/** The rich config with every app client the bridge can create: Cloudflare's, IAM federation's, identity propagation's. */
function everyClient(): BridgeConfigInput {
  const c = JSON.parse(readFileSync(RICH_CONFIG, "utf8")) as BridgeConfigInput;
  // A claim only Cloudflare copies from the ID token: only its client has to read it.
  c.cloudflare.accessControlAttributes = {
    ...c.cloudflare.accessControlAttributes,
    Clearance: "custom:clearance",
  };
  // An enterprise source no upstream maps (an administrator sets it): every client reads it, none writes it.
  c.cognito.customAttributes = [...(c.cognito.customAttributes ?? []), { name: "division" }];
  c.cognito.provisioning = {
    ...c.cognito.provisioning,
    enterpriseAttributes: { ...c.cognito.provisioning?.enterpriseAttributes, division: "custom:division" },
  };
  c.cognito.iamFederation = {
    roles: [{ name: "corp-readonly", managedPolicies: ["arn:aws:iam::aws:policy/ReadOnlyAccess"] }],
  };
  c.identityCenter.trustedTokenIssuer = {
    name: "corp-pool",
    applicationName: "data-portal",
    scopes: ["s3:access_grants:read_write"],
    tokenExchangeAccounts: ["444444444444"],
    callbackUrls: ["https://data.corp.example/oauth/callback"],
  };
  return c;
}

/** Every app client in every synthesized stack, by its name. */
function clientsByName(outdir: string): Record<string, TerraformJson> {
  const stacksDir = path.join(outdir, "stacks");
  return Object.fromEntries(
    readdirSync(stacksDir).flatMap((stack) => {
      const doc = JSON.parse(
        readFileSync(path.join(stacksDir, stack, "cdk.tf.json"), "utf8"),
      ) as TerraformJson;
      return Object.values(
        (doc.resource?.aws_cognito_user_pool_client ?? {}) as Record<string, TerraformJson>,
      ).map((client) => [client.name as string, client]);
    }),
  );
}

describe("app client attributes: one rule for every client of the pool", () => {
  const bridge = synthBridge(parseConfig(everyClient()));
  afterAll(() => rmSync(bridge.outdir, { recursive: true, force: true }));
  const clients = clientsByName(bridge.outdir);
  // Okta's mapping and Google's default one: Cognito updates these at every federated sign-in through a client.
  const mapped = [
    "custom:cost_center",
    "custom:department",
    "custom:employee_no",
    "custom:groups",
    "email",
    "email_verified",
    "family_name",
    "given_name",
  ];
  // What the JIT Lambda reads from its trigger event beyond those: the bridge's signed link and last sign-in day and
  // the unmapped enterprise source (the groups attribute and the other sources are mapped).
  const lambdaOnly = [
    IDC_USER_ID_ATTRIBUTE,
    LINK_SIGNATURE_ATTRIBUTE,
    LAST_SIGN_IN_ATTRIBUTE,
    "custom:division",
  ];

  it("finds the three app clients across the stacks", () => {
    expect(Object.keys(clients).sort()).toEqual([
      "cloudflare-access",
      "iam-federation",
      "identity-propagation",
    ]);
  });

  it.each(["cloudflare-access", "iam-federation", "identity-propagation"])(
    "%s writes exactly the mapped attributes, never custom:idc_*",
    (name) => {
      expect(clients[name].write_attributes).toEqual(mapped);
      expect(clients[name].write_attributes.filter((a: string) => a.startsWith("custom:idc_"))).toEqual([]);
    },
  );

  it.each([
    ["cloudflare-access", ["custom:clearance"]],
    ["iam-federation", []],
    ["identity-propagation", []],
  ])("%s reads what the Lambda reads, what it writes and its relying party's claims: %j", (name, claims) => {
    expect(clients[name].read_attributes).toEqual([...mapped, ...lambdaOnly, ...claims].sort());
  });
});

describe("app client attributes without upstream providers", () => {
  const c = everyClient();
  c.cognito.upstreamProviders = [];
  c.cognito.provisioning = { ...c.cognito.provisioning, groupsAttribute: undefined };
  const bridge = synthBridge(parseConfig(c));
  afterAll(() => rmSync(bridge.outdir, { recursive: true, force: true }));
  const clients = clientsByName(bridge.outdir);

  // No write list would let a client write every standard attribute (email included), and the aws provider
  // drops or fails on an empty one (hashicorp/terraform-provider-aws #28684, #30511).
  it.each(["cloudflare-access", "iam-federation", "identity-propagation"])(
    "%s writes only the one attribute nothing reads, never an empty list",
    (name) => {
      expect(clients[name].write_attributes).toEqual(["zoneinfo"]);
      expect(clients[name].read_attributes).toContain("zoneinfo");
    },
  );
});
