import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { KMS_KEY_ID } from "../config/kms-key";
import { describeIfTerraform, terraformEnv } from "./helpers/terraform-cli";
import { tempDir } from "./helpers/temp-dirs";

/**
 * `backend.kmsKeyId` against the real rule: Terraform's S3 backend validates `kms_key_id` during `terraform
 * init`, before it contacts S3. The backend here points at a closed local port, so an accepted key fails later,
 * listing workspaces, and a rejected one fails with "Invalid KMS Key".
 */
function terraformAccepts(dir: string, kmsKeyId: string): boolean {
  rmSync(path.join(dir, ".terraform"), { recursive: true, force: true });
  writeFileSync(
    path.join(dir, "main.tf.json"),
    JSON.stringify({
      terraform: {
        backend: {
          s3: {
            bucket: "kms-check",
            key: "check.tfstate",
            region: "eu-west-1",
            encrypt: true,
            kms_key_id: kmsKeyId,
            use_path_style: true,
            endpoints: { s3: "http://127.0.0.1:1" },
            access_key: "AKIAEXAMPLEEXAMPLE00",
            secret_key: "not-a-secret",
            skip_credentials_validation: true,
            skip_requesting_account_id: true,
            skip_metadata_api_check: true,
            max_retries: 1,
          },
        },
      },
    }),
  );
  const run = spawnSync("terraform", [`-chdir=${dir}`, "init", "-no-color", "-input=false"], {
    encoding: "utf8",
    env: terraformEnv(),
    timeout: 60_000,
  });
  const output = `${run.stdout}${run.stderr}`;
  if (/Invalid KMS Key (ID|ARN)/.test(output)) return false;
  // Past validation: the backend tried S3 (nothing listens there), so the key was accepted.
  expect(output).toMatch(/127\.0\.0\.1:1|existing workspaces/);
  return true;
}

describeIfTerraform("backend.kmsKeyId against Terraform's S3 backend", () => {
  const dir = tempDir("backend-kms-");

  // [value, accepted by Terraform and by the config]
  const agreed: [string, boolean][] = [
    ["0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0", true],
    ["mrk-0f1e2d3c4b5a49788796a5b4c3d2e1f0", true],
    ["alias/tfstate", true],
    ["alias/team_a/tf-state", true],
    ["arn:aws:kms:eu-west-1:111111111111:key/0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0", true],
    ["arn:aws:kms:eu-west-1:111111111111:key/mrk-0f1e2d3c4b5a49788796a5b4c3d2e1f0", true],
    ["arn:aws:kms:eu-west-1:111111111111:alias/tfstate", true],
    ["arn:aws-us-gov:kms:us-gov-west-1:111111111111:key/0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0", true],
    ["arn:aws-cn:kms:cn-north-1:111111111111:alias/tfstate", true],
    ["not-a-key", false],
    // The AWS documentation's sample key id is no RFC 4122 UUID (version digit 3, variant 5): Terraform refuses it.
    ["1234abcd-12ab-34cd-56ef-1234567890ab", false],
    ["0F1E2D3C-4B5A-4978-8796-A5B4C3D2E1F0", false],
    ["alias/", false],
    ["alias/tf state", false],
    ["mrk-0f1e2d3c", false],
    ["arn:aws:kms:eu-west-1:111111111111:key/abc", false],
    ["arn:aws:kms:eu-west-1:111111111111:keys/0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0", false],
    ["arn:aws:kms:eu-west-1:111111111111:alias/", false],
  ];

  it.each(agreed)("%s: Terraform and the config agree (accepted: %s)", (value, accepted) => {
    expect({ value, terraform: terraformAccepts(dir, value) }).toEqual({ value, terraform: accepted });
    expect({ value, config: KMS_KEY_ID.test(value) }).toEqual({ value, config: accepted });
  });

  // The backend's pattern is anchored only at its ends (`^uuid|mrk|alias$`): it lets these through, but no KMS
  // key has such an id, so S3 would fail the first state write. The config refuses them at once.
  it.each([
    "0f1e2d3c-4b5a-4978-8796-a5b4c3d2e1f0-and-more",
    "prefix-mrk-0f1e2d3c4b5a49788796a5b4c3d2e1f0",
    "my alias/tfstate",
  ])("%s: Terraform lets it pass, the config refuses it", (value) => {
    expect(terraformAccepts(dir, value)).toBe(true);
    expect(KMS_KEY_ID.test(value)).toBe(false);
  });
});
