/**
 * `npm run identity-propagation:configure` against an in-memory IAM Identity Center behind aws-sdk-client-mock.
 * The fake enforces the API reference's rules for the four calls (IAM Identity Center API reference:
 * GetApplicationGrant, PutApplicationGrant, JwtBearerGrant, AuthorizedTokenIssuer,
 * GetApplicationAuthenticationMethod, PutApplicationAuthenticationMethod): ARN patterns, the grant type
 * values, one union member, 1-10 issuers and audiences, ResourceNotFoundException for what is not set.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  GetApplicationAuthenticationMethodCommand,
  GetApplicationGrantCommand,
  PutApplicationAuthenticationMethodCommand,
  PutApplicationGrantCommand,
  ResourceNotFoundException,
  SSOAdminClient,
  ValidationException,
  AccessDeniedException,
  type AuthenticationMethod,
  type Grant,
} from "@aws-sdk/client-sso-admin";
import { mockClient } from "aws-sdk-client-mock";
import { canonical, main } from "../../cli/identity-propagation-configure";
import { applicationGrant, iamAuthenticationMethod } from "../../stacks/identity-propagation/grant";
import { captureConsole, configFileFor, deployedStack, type CapturedConsole } from "../helpers/cli";
import { describeIfTerraform } from "../helpers/terraform-cli";
import { tempDir } from "../helpers/temp-dirs";

const APP = "arn:aws:sso::999999999999:application/ssoins-1234567890abcdef/apl-1234567890abcdef";
const TTI =
  "arn:aws:sso::999999999999:trustedTokenIssuer/ssoins-1234567890abcdef/tti-43b4a822-1234-1234-1234-a1b2c3d41234";
const CLIENT = "5example0client0id0abcdefg";
const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer";
const GRANT_TYPES = [
  "authorization_code",
  "refresh_token",
  JWT_BEARER,
  "urn:ietf:params:oauth:grant-type:token-exchange",
];
const APPLICATION_ARN =
  /^arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):sso::\d{12}:application\/(sso)?ins-[a-zA-Z0-9-.]{16}\/apl-[a-zA-Z0-9]{16}$/;
const TTI_ARN =
  /^arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):sso::\d{12}:trustedTokenIssuer\/(sso)?ins-[a-zA-Z0-9-.]{16}\/tti-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$/;

// The stack's outputs, as its own builders make them (their form is asserted in identity-propagation.test.ts).
const GRANT = applicationGrant(TTI, CLIENT);
const METHOD = iamAuthenticationMethod(["444444444444", "555555555555"]);

/** The stack's outputs as `terraform output -json` prints them. */
function outputsFile(overrides: Record<string, unknown> = {}): string {
  const values: Record<string, unknown> = {
    region: "us-east-1",
    application_arn: APP,
    application_grant: GRANT,
    application_authentication_method: METHOD,
    put_application_grant_command: "aws sso-admin put-application-grant …",
    ...overrides,
  };
  const file = path.join(tempDir("tip-outputs-"), "outputs.json");
  fs.writeFileSync(
    file,
    JSON.stringify(
      Object.fromEntries(
        Object.entries(values).map(([k, value]) => [k, { value, type: "x", sensitive: false }]),
      ),
    ),
  );
  return file;
}

function invalid(message: string): never {
  throw new ValidationException({ message, $metadata: {} });
}

/** What IdC holds for the application, enforcing the API reference on each call. */
class FakeIdentityCenter {
  grants = new Map<string, Grant>();
  methods = new Map<string, AuthenticationMethod>();
  readonly ssoAdmin = mockClient(SSOAdminClient);
  regions: string[] = [];

  constructor() {
    const checkApp = (arn: string | undefined) => {
      if (!arn || arn.length < 10 || arn.length > 1224 || !APPLICATION_ARN.test(arn))
        invalid(`ApplicationArn ${arn}`);
      if (arn !== APP)
        throw new ResourceNotFoundException({ message: "Application not found", $metadata: {} });
    };
    this.ssoAdmin.on(GetApplicationGrantCommand).callsFake(async (input, getClient) => {
      this.regions.push(await getClient().config.region());
      checkApp(input.ApplicationArn);
      if (!GRANT_TYPES.includes(input.GrantType)) invalid(`GrantType ${input.GrantType}`);
      const grant = this.grants.get(input.GrantType);
      if (!grant) throw new ResourceNotFoundException({ message: "Grant not found", $metadata: {} });
      return { Grant: structuredClone(grant) };
    });
    this.ssoAdmin.on(PutApplicationGrantCommand).callsFake((input) => {
      checkApp(input.ApplicationArn);
      if (!GRANT_TYPES.includes(input.GrantType)) invalid(`GrantType ${input.GrantType}`);
      const members = Object.keys(input.Grant ?? {});
      if (members.length !== 1) invalid("Grant must set exactly one member");
      const issuers = (input.Grant as { JwtBearer?: { AuthorizedTokenIssuers?: unknown[] } }).JwtBearer
        ?.AuthorizedTokenIssuers as
        { TrustedTokenIssuerArn?: string; AuthorizedAudiences?: string[] }[] | undefined;
      if (input.GrantType === JWT_BEARER) {
        if (members[0] !== "JwtBearer" || !issuers || issuers.length < 1 || issuers.length > 10) {
          invalid("JwtBearer.AuthorizedTokenIssuers: 1-10 items");
        }
        for (const i of issuers) {
          if (!i.TrustedTokenIssuerArn || !TTI_ARN.test(i.TrustedTokenIssuerArn))
            invalid("TrustedTokenIssuerArn");
          const audiences = i.AuthorizedAudiences ?? [];
          if (
            audiences.length < 1 ||
            audiences.length > 10 ||
            audiences.some((a) => a.length < 1 || a.length > 512)
          ) {
            invalid("AuthorizedAudiences: 1-10 items of 1-512 characters");
          }
        }
      }
      this.grants.set(input.GrantType, structuredClone(input.Grant!));
      return {};
    });
    this.ssoAdmin.on(GetApplicationAuthenticationMethodCommand).callsFake((input) => {
      checkApp(input.ApplicationArn);
      if (input.AuthenticationMethodType !== "IAM") invalid("AuthenticationMethodType");
      const method = this.methods.get("IAM");
      if (!method)
        throw new ResourceNotFoundException({ message: "Authentication method not found", $metadata: {} });
      return { AuthenticationMethod: structuredClone(method) };
    });
    this.ssoAdmin.on(PutApplicationAuthenticationMethodCommand).callsFake((input) => {
      checkApp(input.ApplicationArn);
      if (input.AuthenticationMethodType !== "IAM") invalid("AuthenticationMethodType");
      const m = input.AuthenticationMethod as { Iam?: { ActorPolicy?: unknown } } | undefined;
      if (Object.keys(m ?? {}).length !== 1 || m?.Iam?.ActorPolicy === undefined)
        invalid("AuthenticationMethod.Iam.ActorPolicy");
      this.methods.set("IAM", structuredClone(input.AuthenticationMethod!));
      return {};
    });
  }

  puts(): number {
    return (
      this.ssoAdmin.commandCalls(PutApplicationGrantCommand).length +
      this.ssoAdmin.commandCalls(PutApplicationAuthenticationMethodCommand).length
    );
  }
}

let idc: FakeIdentityCenter;
let io: CapturedConsole;

beforeEach(() => {
  idc = new FakeIdentityCenter();
  io = captureConsole();
});

afterEach(() => {
  idc.ssoAdmin.restore();
  jest.restoreAllMocks();
});

/** Runs the command with the config of the environment named by --env (the example's own, else one made for it). */
const run = (...args: string[]) => {
  const i = args.indexOf("--env");
  const environment = i >= 0 ? args[i + 1] : undefined;
  const config =
    environment === undefined || environment === "" ? {} : { BRIDGE_CONFIG: configFileFor(environment) };
  return main(args, { ...process.env, AWS_REGION: "eu-west-3", ...config });
};

describe("identity-propagation:configure", () => {
  it("puts the grant and the authentication method when IdC has neither, in the IdC region", async () => {
    expect(await run("--env", "tip", "--outputs", outputsFile())).toBe(0);
    expect(idc.ssoAdmin).toHaveReceivedCommandWith(PutApplicationGrantCommand, {
      ApplicationArn: APP,
      GrantType: JWT_BEARER,
      Grant: GRANT,
    });
    expect(idc.ssoAdmin).toHaveReceivedCommandWith(PutApplicationAuthenticationMethodCommand, {
      ApplicationArn: APP,
      AuthenticationMethodType: "IAM",
      AuthenticationMethod: METHOD,
    });
    expect(idc.regions).toEqual(["us-east-1"]);
    expect(io.stdout()).toContain(`${JWT_BEARER} grant of ${APP}: created`);
    expect(io.stdout()).toContain(`IAM authentication method of ${APP}: created`);
  });

  it("changes nothing when run again", async () => {
    const file = outputsFile();
    expect(await run("--outputs", file, "--env", "tip")).toBe(0);
    expect(idc.puts()).toBe(2);
    expect(await run("--outputs", file, "--env", "tip")).toBe(0);
    expect(idc.puts()).toBe(2);
    expect(io.stdout().match(/already as configured/g)).toHaveLength(2);
  });

  it("treats IdC's equivalent spellings as equal: key order, one value or a list, account id or :root ARN", async () => {
    idc.grants.set(JWT_BEARER, {
      JwtBearer: { AuthorizedTokenIssuers: [{ AuthorizedAudiences: [CLIENT], TrustedTokenIssuerArn: TTI }] },
    });
    idc.methods.set("IAM", {
      Iam: {
        ActorPolicy: {
          Statement: [
            {
              Resource: ["*"],
              Action: ["sso-oauth:CreateTokenWithIAM"],
              Principal: { AWS: ["arn:aws:iam::555555555555:root", "444444444444"] },
              Effect: "Allow",
              Sid: "TokenExchangeAccounts",
            },
          ],
          Version: "2012-10-17",
        },
      },
    });
    expect(await run("--env", "tip", "--outputs", outputsFile())).toBe(0);
    expect(idc.puts()).toBe(0);
  });

  it("puts only what differs: another audience, an account too many", async () => {
    idc.grants.set(JWT_BEARER, {
      JwtBearer: {
        AuthorizedTokenIssuers: [{ TrustedTokenIssuerArn: TTI, AuthorizedAudiences: ["old-client"] }],
      },
    });
    idc.methods.set("IAM", structuredClone(METHOD) as unknown as AuthenticationMethod);
    expect(await run("--env", "tip", "--outputs", outputsFile())).toBe(0);
    expect(idc.ssoAdmin.commandCalls(PutApplicationGrantCommand)).toHaveLength(1);
    expect(idc.ssoAdmin.commandCalls(PutApplicationAuthenticationMethodCommand)).toHaveLength(0);
    expect(idc.grants.get(JWT_BEARER)).toEqual(GRANT);
    expect(io.stdout()).toContain("grant of " + APP + ": updated");

    const wider = structuredClone(METHOD.Iam.ActorPolicy) as {
      Statement: { Principal: { AWS: string[] } }[];
    };
    wider.Statement[0].Principal.AWS.push("666666666666");
    idc.methods.set("IAM", { Iam: { ActorPolicy: wider } });
    expect(await run("--env", "tip", "--outputs", outputsFile())).toBe(0);
    expect(idc.methods.get("IAM")).toEqual(METHOD);
  });

  it("--dry-run reports and writes nothing", async () => {
    expect(await run("--env", "tip", "--outputs", outputsFile(), "--dry-run")).toBe(0);
    expect(idc.puts()).toBe(0);
    expect(io.stdout()).toContain("grant of " + APP + ": would be created");
  });

  it("names the output when the stack's outputs are not what it expects", async () => {
    expect(
      await run(
        "--env",
        "tip",
        "--outputs",
        outputsFile({ application_arn: "arn:aws:sso::1:application/x" }),
      ),
    ).toBe(1);
    expect(io.stderr()).toContain(
      "output application_arn of stack tip-identity-propagation: expected an IAM Identity Center application ARN",
    );
    expect(
      await run(
        "--env",
        "tip",
        "--outputs",
        outputsFile({ application_grant: { JwtBearer: { AuthorizedTokenIssuers: [] } } }),
      ),
    ).toBe(1);
    expect(io.stderr()).toContain(
      "output application_grant of stack tip-identity-propagation: expected a JwtBearer grant",
    );
    expect(idc.ssoAdmin.calls()).toHaveLength(0);
  });

  it("passes IdC's refusal on, with the error name", async () => {
    idc.ssoAdmin
      .on(PutApplicationGrantCommand)
      .rejects(new AccessDeniedException({ message: "not allowed: sso:PutApplicationGrant", $metadata: {} }));
    expect(await run("--env", "tip", "--outputs", outputsFile())).toBe(1);
    expect(io.stderr()).toContain(
      "not allowed: sso:PutApplicationGrant (IAM Identity Center: AccessDeniedException)",
    );
  });

  it("rejects unknown options with the usage", async () => {
    expect(await run("--environment", "tip")).toBe(2);
    expect(io.stderr()).toContain("Usage: npm run identity-propagation:configure");
  });
});

describe("canonical form", () => {
  it("keeps real differences apart", () => {
    expect(canonical({ AWS: "111111111111" })).toEqual(
      canonical({ AWS: ["arn:aws:iam::111111111111:root"] }),
    );
    expect(canonical({ AWS: "111111111111" })).not.toEqual(canonical({ AWS: "222222222222" }));
    expect(canonical({ Action: "a" })).not.toEqual(canonical({ Action: ["a", "b"] }));
    expect(canonical({ Sid: "x" })).not.toEqual(canonical({ Sid: ["x"] }));
  });
});

describeIfTerraform("identity-propagation:configure reading the deployed stack's state", () => {
  it("reads <env>-identity-propagation's outputs with terraform output", async () => {
    const outdir = tempDir("tip-cdktf-out-");
    deployedStack(outdir, "tfstate-identity-propagation", {
      region: "us-east-1",
      application_arn: APP,
      application_grant: GRANT,
      application_authentication_method: METHOD,
    });
    expect(await run("--env", "tfstate", "--outdir", outdir)).toBe(0);
    expect(idc.grants.get(JWT_BEARER)).toEqual(GRANT);
    expect(idc.methods.get("IAM")).toEqual(METHOD);
  });
});
