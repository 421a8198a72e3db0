/**
 * Writes the SAML IdP metadata file for the one IAM Identity Center console step, after deploy:
 *
 *   npm run idc-metadata -- [--out idc-idp-metadata.xml] [--env ENV] [--stack NAME] [--outdir cdktf.out]
 *
 * The document is the `identity_center_idp_metadata_xml` output of the `<environment>-cloudflare-access`
 * stack, read with `terraform output` from the stack's directory in the cdktf output directory (where
 * `cdktf deploy` initialised its backend), as the Cognito side (cognito.assumeRoleArn when set: that stack's
 * aws provider is in the Cognito account). The config is BRIDGE_CONFIG; --env must be its environment.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { awsSide, sideProcessEnv } from "./shared/aws-side";
import { commandConfig, runAsScript, runAsyncCommand } from "./shared/command";
import { OUTDIR_OPTION, readStackOutput, stackDirectory } from "./shared/stack-outputs";

export const METADATA_OUTPUT = "identity_center_idp_metadata_xml";

const USAGE = `Usage: npm run idc-metadata -- [options]

Writes the SAML 2.0 IdP metadata of the deployed Cloudflare Access application to a file,
for upload in the IAM Identity Center console.

Options:
  --out FILE          file to write (default: idc-idp-metadata.xml)
  --env ENV           environment name, as every command takes it: must be "environment" of the
                      config in BRIDGE_CONFIG (default config/example.json), which it defaults to;
                      --environment is the same
  --stack NAME        stack name (default: <environment>-cloudflare-access)
  --outdir DIR        cdktf output directory (default: cdktf.out)
  -h, --help          show this help`;

function nextSteps(file: string): string {
  return `Wrote ${file}

Next, once, in the AWS console (IAM Identity Center, in its home region):
  1. IAM Identity Center → Settings → Identity source → Actions → Change identity source.
  2. Choose "External identity provider" → Next.
  3. Under "Service provider metadata", check that the issuer URL and ACS URL equal
     identityCenter.issuerUrl and identityCenter.acsUrl in your config.
  4. Under "Identity provider metadata" → "IdP SAML metadata", choose the file
     ${file}
  5. Next → review, type ACCEPT → Change identity source.
Provisioning stays "Manual" (no SCIM): the bridge's Lambda creates each person in the Identity Store
on their first sign-in (just in time) and keeps their mapped group memberships in step.`;
}

/** Runs the command; returns the process exit code (0 ok, 1 failure, 2 usage error). */
export function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return runAsyncCommand(
    {
      name: "idc-metadata",
      usage: USAGE,
      options: {
        out: { type: "string", default: "idc-idp-metadata.xml" },
        env: { type: "string" },
        // The name this command had before every command took --env.
        environment: { type: "string" },
        stack: { type: "string" },
        ...OUTDIR_OPTION,
      },
    },
    argv,
    async ({ values }) => {
      const { config } = commandConfig(env, values.env ?? values.environment);
      const stack = values.stack ?? `${config.environment}-cloudflare-access`;
      const stackDir = stackDirectory(values.outdir, stack);
      // The cloudflare-access stack's aws provider is in the Cognito account: its state is read as that side.
      const processEnv = await sideProcessEnv(awsSide(config, "cognito"), "idc-metadata", env);
      const xml = readStackOutput(stackDir, stack, METADATA_OUTPUT, processEnv);
      if (xml.trim() === "") {
        throw new Error(
          `output ${METADATA_OUTPUT} of stack ${stack} is empty: deploy the stack (npx cdktf deploy ${stack}) first`,
        );
      }
      if (!xml.includes("EntityDescriptor")) {
        throw new Error(
          `output ${METADATA_OUTPUT} of stack ${stack} is not SAML metadata:\n${xml.slice(0, 200)}`,
        );
      }

      const file = path.resolve(values.out);
      fs.writeFileSync(file, xml.endsWith("\n") ? xml : `${xml}\n`);
      console.log(nextSteps(file));
      return 0;
    },
  );
}

runAsScript(module, main);
