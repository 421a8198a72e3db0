import { NAME_ID_TRANSFORM } from "../../stacks/cloudflare-access/saml-application";
import { fail, pass, type Check, type CheckResult, type DoctorDependencies } from "./check";

export const CLOUDFLARE_API_BASE_URL = "https://api.cloudflare.com/client/v4";

interface CloudflareEnvelope<T> {
  success?: boolean;
  errors?: Array<{ code?: number; message?: string }>;
  result?: T;
  result_info?: { page?: number; per_page?: number; total_count?: number; total_pages?: number };
}

interface AccessApp {
  id?: string;
  name?: string;
  type?: string;
  allowed_idps?: string[];
  auto_redirect_to_identity?: boolean;
  saas_app?: {
    auth_type?: string;
    sp_entity_id?: string;
    consumer_service_url?: string;
    name_id_transform_jsonata?: string;
  };
}

async function cloudflareGet<T>(deps: DoctorDependencies, path: string): Promise<CloudflareEnvelope<T>> {
  const doFetch = deps.fetch ?? fetch;
  const response = await doFetch(`${deps.cloudflare.baseUrl.replace(/\/$/, "")}${path}`, {
    headers: { Authorization: `Bearer ${deps.cloudflare.token}`, Accept: "application/json" },
  });
  const body = (await response.json().catch(() => ({}))) as CloudflareEnvelope<T>;
  if (!response.ok || body.success === false) {
    const errors = (body.errors ?? []).map((e) => `${e.code ?? ""} ${e.message ?? ""}`.trim()).join("; ");
    throw new Error(`Cloudflare API ${path}: HTTP ${response.status}${errors ? ` (${errors})` : ""}`);
  }
  return body;
}

/** The Access application: exactly the Cognito login method, and SAML settings that match the config. */
export const cloudflareAccessCheck: Check = (deps, outputs) =>
  checkCloudflare(
    deps,
    outputs.needs("Cloudflare Access application", "cloudflare-access", ["cognito_login_method_id"]),
    outputs.output("cognito", "authorization_url"),
  );

async function checkCloudflare(
  deps: DoctorDependencies,
  values: string[] | CheckResult,
  cognitoAuthorizationUrl: string | undefined,
): Promise<CheckResult[]> {
  const cf = deps.config.cloudflare;
  const ic = deps.config.identityCenter;
  const appTitle = `Cloudflare Access app "${cf.appName}"`;
  if (deps.cloudflare.token === undefined || deps.cloudflare.token === "") {
    return [
      fail(
        appTitle,
        "not checked: CLOUDFLARE_API_TOKEN is not set",
        "export CLOUDFLARE_API_TOKEN (Access: Apps and Policies Read; Access: Organizations, Identity Providers, and Groups Read)",
      ),
    ];
  }
  if (!Array.isArray(values)) return [{ ...values, title: appTitle }];
  const [loginMethodId] = values as [string];
  const account = `/accounts/${cf.accountId}`;
  const apply = `apply the cloudflare-access stack again (npx cdktf deploy ${deps.config.environment}-cloudflare-access)`;
  try {
    const apps: AccessApp[] = [];
    for (let page = 1; page <= 100; page += 1) {
      const query = new URLSearchParams({
        name: cf.appName,
        exact: "true",
        page: String(page),
        per_page: "50",
      });
      const body = await cloudflareGet<AccessApp[]>(deps, `${account}/access/apps?${query}`);
      apps.push(...(body.result ?? []));
      const info = body.result_info;
      const totalPages = info?.total_pages ?? Math.ceil((info?.total_count ?? 0) / (info?.per_page ?? 50));
      if ((body.result ?? []).length === 0 || page >= totalPages) break;
    }
    const matching = apps.filter((a) => a.name === cf.appName);
    if (matching.length !== 1) {
      return [
        fail(
          appTitle,
          `${matching.length} Access applications have this name`,
          matching.length === 0
            ? apply
            : "delete the duplicates made by hand in Zero Trust → Access → Applications",
        ),
      ];
    }
    const app = matching[0]!;
    const results: CheckResult[] = [];
    const idps = app.allowed_idps ?? [];
    let idpProblem: string | undefined;
    if (idps.length !== 1 || idps[0] !== loginMethodId) {
      idpProblem = `allowed_idps is [${idps.join(", ")}], expected exactly [${loginMethodId}] (the Cognito login method)`;
    } else if (app.auto_redirect_to_identity !== true) {
      idpProblem = "auto_redirect_to_identity is off";
    } else {
      const idp = (
        await cloudflareGet<{ type?: string; config?: { auth_url?: string } }>(
          deps,
          `${account}/access/identity_providers/${loginMethodId}`,
        )
      ).result;
      if (idp?.type !== "oidc")
        idpProblem = `login method ${loginMethodId} is of type ${idp?.type}, not oidc`;
      else if (cognitoAuthorizationUrl !== undefined && idp.config?.auth_url !== cognitoAuthorizationUrl) {
        idpProblem = `login method ${loginMethodId} authorizes at ${idp.config?.auth_url}, not the user pool's ${cognitoAuthorizationUrl}`;
      }
    }
    results.push(
      idpProblem === undefined
        ? pass(`${appTitle}: allows exactly the Cognito login method`)
        : fail(
            `${appTitle}: allows exactly the Cognito login method`,
            idpProblem,
            `${apply}: any other login method (e.g. one-time PIN) could assert an email to AWS`,
          ),
    );
    const saml = app.saas_app ?? {};
    const problems: string[] = [];
    if (saml.sp_entity_id !== ic.issuerUrl)
      problems.push(`SP entity id is ${saml.sp_entity_id}, config has ${ic.issuerUrl}`);
    if (saml.consumer_service_url !== ic.acsUrl)
      problems.push(`ACS URL is ${saml.consumer_service_url}, config has ${ic.acsUrl}`);
    if (saml.name_id_transform_jsonata !== NAME_ID_TRANSFORM) {
      problems.push(`NameID transform is ${saml.name_id_transform_jsonata}, expected ${NAME_ID_TRANSFORM}`);
    }
    results.push(
      problems.length === 0
        ? pass(`${appTitle}: SAML settings match the IdC issuer and ACS URL`)
        : fail(
            `${appTitle}: SAML settings match the IdC issuer and ACS URL`,
            problems.join("; "),
            `compare identityCenter.issuerUrl/acsUrl with IdC → Settings → Identity source, then ${apply}`,
          ),
    );
    return results;
  } catch (error) {
    return [
      fail(
        appTitle,
        (error as Error).message,
        "check CLOUDFLARE_API_TOKEN's permissions and cloudflare.accountId",
      ),
    ];
  }
}
