/**
 * `npm run aws-credentials` end to end on loopback: a fake hosted UI (authorize + token endpoints, PKCE),
 * the command's own callback server, a "browser" that follows the redirects, and a fake STS
 * (helpers/fake-hosted-ui.ts, helpers/fake-sts.ts).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import { cacheFile, main, parseSettings, type Dependencies } from "../../cli/aws-credentials";
import { FakeHostedUi } from "../helpers/fake-hosted-ui";
import { FakeSts } from "../helpers/fake-sts";
import { captureConsole, configFileFor, deployedStack, type CapturedConsole } from "../helpers/cli";
import { describeIfTerraform } from "../helpers/terraform-cli";
import { tempDir } from "../helpers/temp-dirs";

const ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Test1234";
const CLIENT_ID = "4fed0client0id0for0tests1";
const READONLY = "arn:aws:iam::111111111111:role/bridge-readonly";
const OPS = "arn:aws:iam::111111111111:role/ops/bridge-ops";
const PROJECT_ROOT = path.join(__dirname, "..", "..");

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The groups a token's session tags carry. */
function groupsOf(claims: Record<string, unknown>): string {
  const tags = claims["https://aws.amazon.com/tags"] as
    { principal_tags?: { groups?: string[] } } | undefined;
  return tags?.principal_tags?.groups?.[0] ?? "";
}

let hostedUi: FakeHostedUi;
let sts: FakeSts;
let settingsFile: string;
let settings: Record<string, unknown>;
let env: NodeJS.ProcessEnv;
let io: CapturedConsole;
let visits: string[];

/** A browser that signs in at once: it follows the hosted UI's redirect to the command's callback. */
const browser: Dependencies = {
  openBrowser: async (url) => {
    visits.push(url);
    await fetch(url);
  },
};
/** A browser the person closed: nothing ever reaches the callback. */
const closedBrowser: Dependencies = {
  openBrowser: async (url) => void visits.push(url),
};

beforeAll(async () => {
  const callbackUrl = `http://localhost:${await freePort()}/callback`;
  hostedUi = new FakeHostedUi({ clientId: CLIENT_ID, callbackUrl, issuer: ISSUER });
  await hostedUi.start();
  sts = new FakeSts({
    issuer: ISSUER,
    audience: CLIENT_ID,
    publicKey: hostedUi.publicKey,
    roles: {
      [READONLY]: { maxSessionDuration: 14400, trusts: (c) => groupsOf(c).includes(":readers:") },
      [OPS]: { maxSessionDuration: 3600, trusts: () => true },
    },
  });
  await sts.start();
  settings = {
    region: "eu-west-1",
    domain_url: hostedUi.baseUrl,
    client_id: CLIENT_ID,
    callback_url: callbackUrl,
    provider_arn:
      "arn:aws:iam::111111111111:oidc-provider/cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Test1234",
    roles: {
      "bridge-readonly": { arn: READONLY, max_session_duration: 14400, required_groups: ["readers"] },
      "bridge-ops": { arn: OPS, max_session_duration: 3600, required_groups: [] },
    },
  };
  settingsFile = path.join(tempDir("aws-credentials-settings-"), "prod.json");
  fs.writeFileSync(settingsFile, JSON.stringify(settings));
});

afterAll(async () => {
  await hostedUi.close();
  await sts.close();
});

beforeEach(() => {
  env = {
    PATH: process.env.PATH,
    HOME: tempDir("aws-credentials-home-"),
    XDG_CACHE_HOME: tempDir("aws-credentials-cache-"),
    AWS_ENDPOINT_URL_STS: sts.url,
  };
  hostedUi.person = { sub: "sub-ada", email: "ada@initech.example", groups: ["readers", "developers"] };
  hostedUi.log.length = 0;
  sts.requests.length = 0;
  visits = [];
  io = captureConsole();
});

afterEach(() => jest.restoreAllMocks());

const run = (deps: Dependencies, ...args: string[]) => main(["--settings", settingsFile, ...args], env, deps);

/** stdout must be exactly one credential_process document (AWS CLI: "Sourcing credentials with an external process"). */
function credentials(stdout = io.stdout()): Record<string, unknown> {
  const lines = stdout.trim().split("\n");
  expect(lines).toHaveLength(1);
  const doc = JSON.parse(lines[0]);
  expect(Object.keys(doc).sort()).toEqual([
    "AccessKeyId",
    "Expiration",
    "SecretAccessKey",
    "SessionToken",
    "Version",
  ]);
  expect(doc.Version).toBe(1);
  expect(doc.AccessKeyId).toMatch(/^ASIA[0-9A-F]{16}$/);
  expect(new Date(doc.Expiration).toISOString()).toBe(doc.Expiration);
  return doc;
}

describe("aws-credentials", () => {
  it("signs in with code + PKCE on the loopback callback, assumes the role unsigned, prints credential_process JSON", async () => {
    expect(await run(browser, "--role", "bridge-readonly")).toBe(0);
    const doc = credentials();
    expect(new Date(doc.Expiration as string).getTime() - Date.now()).toBeGreaterThan(14000 * 1000);

    expect(visits).toHaveLength(1);
    const authorize = new URL(visits[0]);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${hostedUi.baseUrl}/oauth2/authorize`);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      response_type: "code",
      client_id: CLIENT_ID,
      redirect_uri: settings.callback_url,
      scope: "openid email profile",
      code_challenge_method: "S256",
    });
    const exchange = hostedUi.log.find((r) => r.path === "/oauth2/token")!;
    expect(exchange.params.grant_type).toBe("authorization_code");
    expect(exchange.params).not.toHaveProperty("client_secret");

    expect(sts.requests).toHaveLength(1);
    const [call] = sts.requests;
    expect(call.headers.authorization).toBeUndefined();
    expect(call.params).toMatchObject({
      Action: "AssumeRoleWithWebIdentity",
      RoleArn: READONLY,
      RoleSessionName: "ada@initech.example",
      DurationSeconds: "14400",
    });
    expect(io.stderr()).toContain("Opening the sign-in page in your browser");
  });

  it("caches the refresh token readable only by the user and skips the browser next time", async () => {
    expect(await run(browser, "--role", "bridge-readonly")).toBe(0);
    const file = cacheFile(env, parseSettings(settings, "test"));
    expect(path.dirname(file)).toBe(path.join(env.XDG_CACHE_HOME!, "idc-oidc-bridge"));
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(fs.readdirSync(path.dirname(file))).toEqual([path.basename(file)]);

    io.log.length = 0;
    hostedUi.log.length = 0;
    expect(await run(browser, "--role", "bridge-ops", "--duration", "900")).toBe(0);
    credentials();
    expect(visits).toHaveLength(1); // still only the first run's
    expect(hostedUi.log.map((r) => r.params.grant_type)).toEqual(["refresh_token"]);
    expect(sts.requests.at(-1)!.params).toMatchObject({ RoleArn: OPS, DurationSeconds: "900" });
  });

  it("uses ~/.cache/idc-oidc-bridge without XDG_CACHE_HOME", async () => {
    delete env.XDG_CACHE_HOME;
    expect(await run(browser, "--role", "bridge-ops")).toBe(0);
    expect(cacheFile(env, parseSettings(settings, "test"))).toMatch(
      new RegExp(`^${env.HOME}/\\.cache/idc-oidc-bridge/refresh-token-[0-9a-f]{16}\\.json$`),
    );
  });

  it("falls back to the browser when the refresh token has expired or was revoked, and says so", async () => {
    expect(await run(browser, "--role", "bridge-ops")).toBe(0);
    const firstCache = fs.readFileSync(cacheFile(env, parseSettings(settings, "test")), "utf8");
    hostedUi.revokeRefreshTokens();
    io.log.length = 0;
    expect(await run(browser, "--role", "bridge-ops")).toBe(0);
    credentials();
    expect(io.stderr()).toContain(
      "The cached sign-in has expired or was revoked: signing in again in the browser.",
    );
    expect(visits).toHaveLength(2);
    expect(fs.readFileSync(cacheFile(env, parseSettings(settings, "test")), "utf8")).not.toBe(firstCache);
  });

  it("with --no-browser, says that the cached sign-in expired instead of opening a browser", async () => {
    expect(await run(browser, "--role", "bridge-ops")).toBe(0);
    hostedUi.revokeRefreshTokens();
    io.log.length = 0;
    expect(await run(browser, "--role", "bridge-ops", "--no-browser")).toBe(1);
    expect(io.stderr()).toContain(
      "the cached sign-in has expired or was revoked (invalid_grant: Refresh Token has expired)",
    );
    expect(io.stderr()).toContain("run without --no-browser to sign in again");
    expect(visits).toHaveLength(1);
    expect(io.stdout()).toBe("");
  });

  it("gives up with a clear error when the browser is closed before signing in", async () => {
    expect(await run(closedBrowser, "--role", "bridge-ops", "--timeout", "1")).toBe(1);
    expect(io.stderr()).toContain("no sign-in within 1 s: was the browser closed?");
    expect(io.stdout()).toBe("");
    expect(fs.existsSync(path.join(env.XDG_CACHE_HOME!, "idc-oidc-bridge"))).toBe(false);
    // The port is free again for the next attempt.
    expect(await run(browser, "--role", "bridge-ops")).toBe(0);
  });

  it("reports a cancelled sign-in", async () => {
    hostedUi.person = undefined;
    expect(await run(browser, "--role", "bridge-ops")).toBe(1);
    expect(io.stderr()).toContain("sign-in failed: access_denied: cancelled");
  });

  it("names the roles there are when asked for another one, before any sign-in", async () => {
    expect(await run(browser, "--role", "bridge-admin")).toBe(1);
    expect(io.stderr()).toContain('unknown role "bridge-admin": expected one of bridge-readonly, bridge-ops');
    expect(visits).toEqual([]);
    expect(sts.requests).toEqual([]);
  });

  it("explains STS's refusal with the role's required groups and the groups the sign-in carries", async () => {
    hostedUi.person = { sub: "sub-bob", email: "bob@initech.example", groups: ["developers"] };
    expect(await run(browser, "--role", "bridge-readonly")).toBe(1);
    expect(io.stderr()).toContain(
      `STS refused role bridge-readonly (${READONLY}): Not authorized to perform sts:AssumeRoleWithWebIdentity.`,
    );
    expect(io.stderr()).toContain("It requires one of the groups readers; your sign-in carries developers.");
    expect(io.stdout()).toBe("");
  });

  it("rejects a session longer than the role allows, and bad settings naming the field", async () => {
    expect(await run(browser, "--role", "bridge-ops", "--duration", "7200")).toBe(2);
    expect(io.stderr()).toContain("--duration: expected an integer from 900 to 3600");
    const bad = path.join(tempDir("aws-credentials-bad-"), "bad.json");
    fs.writeFileSync(bad, JSON.stringify({ ...settings, domain_url: "http://login.initech.example" }));
    expect(await main(["--settings", bad, "--role", "bridge-ops"], env, browser)).toBe(1);
    expect(io.stderr()).toContain(
      `${bad}: domain_url: expected the hosted domain's https:// base URL; got "http://login.initech.example"`,
    );
  });

  it("ignores a cache file others could read, and replaces it", async () => {
    expect(await run(browser, "--role", "bridge-ops")).toBe(0);
    const file = cacheFile(env, parseSettings(settings, "test"));
    fs.chmodSync(file, 0o644);
    expect(await run(browser, "--role", "bridge-ops")).toBe(0);
    expect(io.stderr()).toContain(
      `ignoring ${file}: it must belong to you and be readable by you only (0600)`,
    );
    expect(visits).toHaveLength(2);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it("works as credential_process: only the JSON on stdout of the real command", async () => {
    expect(await run(browser, "--role", "bridge-ops")).toBe(0); // caches a refresh token
    // Asynchronous: the fake servers run in this process.
    const child = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "cli/aws-credentials/index.ts", "--settings", settingsFile, "--role", "bridge-ops"],
      { cwd: PROJECT_ROOT, env, encoding: "utf8", timeout: 60_000 },
    );
    expect(child.stderr).not.toContain("aws-credentials:");
    credentials(child.stdout);
  });
});

describeIfTerraform("aws-credentials reading the cognito stack's output", () => {
  it("finds the iam_federation output of <env>-cognito", async () => {
    const outdir = tempDir("aws-credentials-out-");
    deployedStack(outdir, "fed-cognito", { iam_federation: settings });
    const withConfig = (environment: string) => ({ ...env, BRIDGE_CONFIG: configFileFor(environment) });
    expect(
      await main(["--env", "fed", "--outdir", outdir, "--role", "bridge-ops"], withConfig("fed"), browser),
    ).toBe(0);
    credentials();

    deployedStack(outdir, "plain-cognito", { user_pool_id: "x" });
    expect(
      await main(
        ["--env", "plain", "--outdir", outdir, "--role", "bridge-ops"],
        withConfig("plain"),
        browser,
      ),
    ).toBe(1);
    expect(io.stderr()).toContain(
      "stack plain-cognito has no iam_federation output: is cognito.iamFederation configured and deployed?",
    );
  });
});
