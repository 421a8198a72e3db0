/**
 * `npm run doctor`: a healthy deployment passes every check; each planted fault is reported with ✘, a hint
 * and exit code 1. The fake deployment (outputs, AWS mocks, the Cloudflare API server) is in doctor-world.ts.
 */
import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import {
  CognitoIdentityProviderClient,
  ListUsersCommand as ListCognitoUsersCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { IdentitystoreClient, ListUsersCommand } from "@aws-sdk/client-identitystore";
import { main, type DoctorDependencies } from "../../cli/doctor";
import { BRIDGE_USER_TYPE } from "../../lambda-src/pre-token-generation/contract";
import { captureConsole } from "../helpers/cli";
import {
  cloudtrail,
  cloudwatch,
  cognito,
  config,
  healthy,
  identityStore,
  install,
  JIT,
  LOGIN_METHOD,
  OTP,
  startFakeCloudflare,
  TOKEN,
  type FakeCloudflare,
  type World,
} from "./doctor-world";

let world: World;
let cloudflare: FakeCloudflare;

beforeAll(async () => {
  cloudflare = await startFakeCloudflare(() => world);
});

afterAll(() => cloudflare.close());

beforeEach(() => {
  world = healthy();
  cloudflare.requests.length = 0;
});

async function doctor(w: World, env: Record<string, string> = { CLOUDFLARE_API_TOKEN: TOKEN }) {
  install(w);
  const io = captureConsole();
  try {
    const overrides: Partial<DoctorDependencies> = {
      config,
      readOutputs: (stack) => {
        const value = w.outputs[stack];
        if (value === undefined || value instanceof Error) throw value ?? new Error(`no state for ${stack}`);
        return value;
      },
      identityStore: new IdentitystoreClient({ region: "eu-west-1" }),
      cognito: new CognitoIdentityProviderClient({ region: "eu-west-1" }),
      cloudwatch: new CloudWatchClient({ region: "eu-west-1" }),
      cloudtrail: new CloudTrailClient({ region: "eu-west-1" }),
    };
    const code = await main(
      ["--env", "prod"],
      { ...env, CLOUDFLARE_API_BASE_URL: cloudflare.url },
      overrides,
    );
    return { code, output: io.log.join("\n"), errors: io.error.join("\n") };
  } finally {
    io.restore();
  }
}

/** The ✘ line that starts with `title`, and the hint under it. */
function failure(output: string, title: string): string {
  const lines = output.split("\n");
  const i = lines.findIndex((l) => l.startsWith(`✘ ${title}`));
  if (i < 0) throw new Error(`no ✘ line "${title}" in:\n${output}`);
  expect(lines[i + 1]).toMatch(/^ {4}hint: \S/);
  return `${lines[i]}\n${lines[i + 1]}`;
}

describe("npm run doctor", () => {
  it("passes a healthy deployment: every line ✔, exit 0, read-only calls only", async () => {
    const { code, output } = await doctor(world);
    expect(output).not.toContain("✘");
    expect(output.match(/^✔/gm)).toHaveLength(13);
    expect(output).toContain("All 13 checks passed.");
    expect(output).toContain(
      "✔ CloudTrail: a trail records the user pool's management events in eu-west-1 — trail management (multi-region)",
    );
    expect(code).toBe(0);
    const commands = [
      ...identityStore.calls(),
      ...cognito.calls(),
      ...cloudwatch.calls(),
      ...cloudtrail.calls(),
    ].map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name);
    expect(new Set(commands)).toEqual(
      new Set([
        "ListUsersCommand",
        "DescribeUserPoolCommand",
        "GetMetricDataCommand",
        "DescribeTrailsCommand",
        "GetTrailStatusCommand",
        "GetEventSelectorsCommand",
      ]),
    );
    expect(identityStore.commandCalls(ListUsersCommand)).toHaveLength(2); // 151 users, 100 a page
    expect(cognito.commandCalls(ListCognitoUsersCommand)).toHaveLength(3); // 150 users, 60 a page
    expect(cloudflare.requests.every((r) => r.startsWith("GET "))).toBe(true);
  });

  const faults: Array<[string, (w: World) => void, string, RegExp]> = [
    [
      "a stack whose outputs cannot be read",
      (w) => (w.outputs["prod-cloudflare-access"] = new Error("terraform output -json failed")),
      "stack prod-cloudflare-access: outputs readable",
      /terraform output/,
    ],
    [
      "no trigger",
      (w) => (w.trigger = undefined),
      "user pool: pre token generation trigger",
      /has no pre token generation trigger/,
    ],
    [
      "a trigger on V1_0",
      (w) => (w.trigger!.LambdaVersion = "V1_0"),
      "user pool: pre token generation trigger",
      /V1_0, not V2_0/,
    ],
    [
      "a trigger on another function",
      (w) => (w.trigger!.LambdaArn = "arn:aws:lambda:eu-west-1:111111111111:function:other"),
      "user pool: pre token generation trigger",
      /invokes .*function:other/,
    ],
    ["Lambda errors", (w) => (w.metrics.errors = [3]), `JIT Lambda ${JIT}: no errors`, /3 errors/],
    [
      "no logging CloudTrail trail for the leavers Lambda",
      (w) => (w.trailLogging = false),
      "CloudTrail: a trail records the user pool's management events in eu-west-1",
      /no trail does: management \(multi-region\): logging is off/,
    ],
    [
      "Lambda throttles",
      (w) => (w.metrics.throttles = [1]),
      `JIT Lambda ${JIT}: no throttles`,
      /1 throttles/,
    ],
    [
      "a slow p99",
      (w) => (w.metrics.p99 = [4200]),
      `JIT Lambda ${JIT}: p99 duration within 3000 ms`,
      /4200 ms/,
    ],
    [
      "a UserName that is not the lowercased primary email",
      (w) => (w.idcUsers[3]!.UserName = "User3@acme.example"),
      "Identity Store: every UserName is the lowercased primary email",
      /User3@acme\.example \(email user3@acme\.example\)/,
    ],
    [
      "one email under two UserNames",
      (w) =>
        w.idcUsers.push({
          IdentityStoreId: "d-1234567890",
          UserId: "dup",
          UserName: "jdoe@acme.example",
          Emails: [
            { Value: "jdoe@acme.example", Primary: true },
            { Value: "USER7@acme.example", Primary: false },
          ],
        }),
      "Identity Store: no email under two UserNames",
      /user7@acme\.example: user7@acme\.example \/ jdoe@acme\.example/,
    ],
    [
      "a bridge-owned user without a Cognito user",
      (w) => w.cognitoUsers.splice(42, 1),
      "Identity Store: every bridge-owned user has a Cognito user",
      /1 without one: user42@acme\.example/,
    ],
    [
      "a second login method on the app",
      (w) => (w.apps[1]!.allowed_idps = [LOGIN_METHOD, OTP]),
      `Cloudflare Access app "${config.cloudflare.appName}": allows exactly the Cognito login method`,
      /expected exactly \[6f0b8c2e/,
    ],
    [
      "an allowed login method that is not Cognito",
      (w) => (w.idps[LOGIN_METHOD]!.config = { auth_url: "https://evil.example/authorize" }),
      `Cloudflare Access app "${config.cloudflare.appName}": allows exactly the Cognito login method`,
      /authorizes at https:\/\/evil\.example/,
    ],
    [
      "SAML settings that do not match the config",
      (w) =>
        ((w.apps[1]!.saas_app as Record<string, unknown>).consumer_service_url =
          "https://eu-west-1.signin.aws.amazon.com/platform/saml/acs/00000000-0000-0000-0000-000000000000"),
      `Cloudflare Access app "${config.cloudflare.appName}": SAML settings match`,
      /ACS URL is .*00000000-0000/,
    ],
    [
      "no Access app of that name",
      (w) => w.apps.splice(1, 1),
      `Cloudflare Access app "${config.cloudflare.appName}"`,
      /0 Access applications have this name/,
    ],
  ];

  it.each(faults)("reports %s with ✘, a hint and exit 1", async (_name, plant, title, detail) => {
    plant(world);
    const { code, output } = await doctor(world);
    expect(failure(output, title)).toMatch(detail);
    // Only that check fails, except the checks that need what is missing, which say so.
    const others = output.split("\n").filter((l) => l.startsWith("✘") && !l.startsWith(`✘ ${title}`));
    for (const line of others)
      expect(line).toMatch(/not checked: stack prod-cloudflare-access has no output/);
    expect(others).toHaveLength(title.startsWith("stack ") ? 1 : 0);
    expect(code).toBe(1);
  });

  it("compares emails and UserNames by the one identity rule: spaces, case and Unicode form name the same person", async () => {
    // NFD "é" in the IdC email, spaces around the Cognito email: the Lambdas see the same people.
    world.idcUsers.push({
      IdentityStoreId: "d-1234567890",
      UserId: "u-rene",
      UserName: "rené@acme.example",
      UserType: BRIDGE_USER_TYPE,
      Emails: [{ Value: " Rene\u0301@acme.example ", Primary: true }],
    });
    world.cognitoUsers.push({
      Username: "sub-rene",
      Enabled: true,
      Attributes: [{ Name: "email", Value: "  RENÉ@acme.example\t" }],
    });
    world.cognitoUsers[7]!.Attributes[0]!.Value = " user7@ACME.example ";
    world.cognitoUsers[7]!.Attributes.splice(1, 1); // found by email only
    const { code, output } = await doctor(world);
    expect(output).not.toContain("✘");
    expect(code).toBe(0);
  });

  it("reports a missing CLOUDFLARE_API_TOKEN, and a token Cloudflare refuses", async () => {
    let result = await doctor(world, {});
    expect(failure(result.output, `Cloudflare Access app`)).toMatch(/CLOUDFLARE_API_TOKEN is not set/);
    expect(result.code).toBe(1);
    result = await doctor(world, { CLOUDFLARE_API_TOKEN: "wrong" });
    expect(failure(result.output, `Cloudflare Access app`)).toMatch(
      /HTTP 403 \(10000 Authentication error\)/,
    );
  });

  it("refuses an --env that is not the config's environment (exit 1), and a missing --env (exit 2)", async () => {
    install(world);
    const io = captureConsole();
    try {
      expect(await main(["--env", "qa"], {}, { config })).toBe(1);
      expect(io.error[0]).toMatch(
        /^Invalid config .*example\.json \(1 problem\):\n {2}- environment: expected the environment given with --env \(qa\); got "prod"$/,
      );
      expect(await main([], {}, { config })).toBe(2);
      expect(io.error[1]).toBe("doctor: --env is required");
    } finally {
      io.restore();
    }
  });
});
