import { rmSync } from "node:fs";
import fc from "fast-check";
import { loadConfig, parseConfig } from "../../config";
import {
  exampleInput,
  RICH_CONFIG,
  resources,
  synthBridge,
  type TerraformJson,
} from "../../__tests__/helpers/stacks";
import { COGNITO_CLAIMS, cognitoLoginClaims } from "./login-method";

const single = (synthesized: string, type: string): TerraformJson => {
  const all = Object.values(resources(synthesized, type)) as TerraformJson[];
  expect(all).toHaveLength(1);
  return all[0];
};

describe("the Cognito login method's claims (ABAC through SAML)", () => {
  const config = loadConfig(RICH_CONFIG);
  const bridge = synthBridge(config);
  afterAll(() => rmSync(bridge.outdir, { recursive: true, force: true }));

  it("requests every claim that cloudflare.accessControlAttributes names, besides the fixed ones", () => {
    const idp = single(bridge.cloudflareAccess, "cloudflare_zero_trust_access_identity_provider");
    expect(idp.config.claims).toEqual([...COGNITO_CLAIMS, "custom:cost_center"]);
    const app = single(bridge.cloudflareAccess, "cloudflare_zero_trust_access_application");
    for (const attribute of app.saas_app.custom_attributes as TerraformJson[]) {
      expect(idp.config.claims).toContain(attribute.source.name);
    }
  });

  it("lets the Cloudflare app client read every requested claim that is a user pool attribute", () => {
    const client = single(bridge.cognito, "aws_cognito_user_pool_client");
    expect(client.read_attributes).toEqual(
      expect.arrayContaining(["custom:cost_center", "email", "email_verified"]),
    );
    expect(client.read_attributes).toEqual(expect.arrayContaining(["given_name", "family_name"]));
  });

  it("requests each claim once, whatever the ABAC keys name", () => {
    const claims = fc.constantFrom(
      "email",
      "email_verified",
      "given_name",
      "zoneinfo",
      "identity_store_user_id",
      "idc_user_name",
      "cognito:username",
      "custom:department",
    );
    fc.assert(
      fc.property(
        fc.dictionary(fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,15}$/), claims, { maxKeys: 6 }),
        (abac) => {
          const input = exampleInput();
          input.cognito.customAttributes = [{ name: "department" }];
          input.cloudflare.accessControlAttributes = abac;
          const parsed = parseConfig(input);
          const requested = cognitoLoginClaims(parsed.cloudflare.accessControlAttributes);
          expect(new Set(requested).size).toBe(requested.length);
          for (const claim of [...COGNITO_CLAIMS, ...Object.values(abac)]) expect(requested).toContain(claim);
        },
      ),
      { numRuns: 200, seed: 5 },
    );
  });
});
