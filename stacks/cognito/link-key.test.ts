/**
 * The link key (stacks/cognito/link-key.ts) as synthesized: a KMS HMAC key only for generating and verifying
 * MACs, its alias, and the JIT Lambda pointed at it by ARN (LINK_KEY_ARN). Its use by the Lambda's role is
 * proven with the IAM simulator in pre-token-generation-role.test.ts.
 */
import { configWith, resources, synthBridge, type TerraformJson } from "../../__tests__/helpers/stacks";
import { ENV_VARS } from "../../lambda-src/pre-token-generation/contract";

const cognito = synthBridge(configWith()).cognito;
const keys = resources(cognito, "aws_kms_key");
const linkKeys = Object.entries(keys).filter(([id]) => id.startsWith("link-key_"));

describe("the link key", () => {
  it("is one KMS HMAC_256 key for GenerateMac/VerifyMac only, at a stable address, deletable only after 30 days", () => {
    expect(linkKeys).toHaveLength(1);
    const [, key] = linkKeys[0] as [string, TerraformJson];
    expect(key["//"].metadata.path).toBe("prod-cognito/link-key/key");
    expect(key).toMatchObject({
      customer_master_key_spec: "HMAC_256",
      key_usage: "GENERATE_VERIFY_MAC",
      deletion_window_in_days: 30,
    });
    // KMS rotates only symmetric encryption keys: asking for rotation of an HMAC key fails the apply.
    expect(key).not.toHaveProperty("enable_key_rotation");
  });

  it("has an alias naming the environment", () => {
    const [keyId] = linkKeys[0] as [string, TerraformJson];
    const aliases = Object.values(resources(cognito, "aws_kms_alias")) as TerraformJson[];
    expect(aliases).toContainEqual(
      expect.objectContaining({
        name: "alias/prod-idc-oidc-bridge-link",
        target_key_id: `\${aws_kms_key.${keyId}.key_id}`,
      }),
    );
  });

  it("is given to the JIT Lambda by ARN in LINK_KEY_ARN (the key material never leaves KMS)", () => {
    const [keyId] = linkKeys[0] as [string, TerraformJson];
    const jit = Object.entries(resources(cognito, "aws_lambda_function")).find(([id]) =>
      id.startsWith("pre-token-generation"),
    )?.[1] as TerraformJson;
    expect(jit.environment.variables[ENV_VARS.linkKeyArn]).toBe(`\${aws_kms_key.${keyId}.arn}`);
  });
});
