import { readFileSync } from "node:fs";
import * as path from "node:path";
import Ajv from "ajv";
import { spawnSync } from "node:child_process";
import { exampleConfigs } from "../scripts/config-schema";
import { configJsonSchema, configJsonSchemaText, JSON_SCHEMA_FILE } from "./json-schema";
import { parseConfig } from ".";
import { renderReference, schemaFields } from "./reference";
import { FIELD_DOCS } from "./reference-docs";
import { exampleOf, isRefusedKey } from "./reference";

/* eslint-disable @typescript-eslint/no-explicit-any -- configs are edited as plain JSON here */

const ROOT = path.join(__dirname, "..");
const TSX = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
const read = (file: string) => readFileSync(path.join(ROOT, file), "utf8");
const fields = schemaFields(configJsonSchema() as never);

describe("configuration reference", () => {
  it("documents every field of the schema, and no field the schema does not have", () => {
    const inSchema = fields.map((f) => f.path);
    expect(inSchema.filter((p) => FIELD_DOCS[p] === undefined)).toEqual([]);
    expect(Object.keys(FIELD_DOCS).filter((p) => !inSchema.includes(p))).toEqual([]);
    expect(inSchema.length).toBeGreaterThan(100);
  });

  it("has an example for every field that holds a value", () => {
    const configs = exampleConfigs();
    const missing = fields
      .filter((f) => !f.container && !isRefusedKey(f) && exampleOf(f, configs) === undefined)
      .map((f) => f.path);
    expect(missing).toEqual([]);
  });

  it("says which way each mapping goes, and documents trustEmail and identifiers", () => {
    expect(FIELD_DOCS["cognito.upstreamProviders[].attributeMapping"].doc).toContain(
      "user pool attribute (key) ← upstream claim or SAML attribute name (value)",
    );
    expect(FIELD_DOCS["cognito.upstreamProviders[].scopes"].doc).toContain("of the upstream IdP");
    expect(FIELD_DOCS["cognito.provisioning.groupMap"].doc).toContain("Cognito group (key");
    expect(FIELD_DOCS["cognito.provisioning.enterpriseAttributes"].doc).toContain(
      "← Cognito attribute (value)",
    );
    const readme = read("README.md");
    for (const field of ["cognito.upstreamProviders[].trustEmail", "cognito.upstreamProviders[].identifiers"])
      expect(readme).toContain(`| \`${field}\``);
  });

  it("in README is what npm run config:schema generates (run it after changing the schema)", () => {
    // A separate process: prettier formats the table, and its dynamic imports need plain Node.
    const run = spawnSync(
      process.execPath,
      [TSX, path.join(ROOT, "scripts", "config-schema.ts"), "--check"],
      {
        cwd: ROOT,
        encoding: "utf8",
      },
    );
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });

  it("in README fails the check when the schema gains a field the reference does not document", () => {
    const fake = {
      type: "object",
      properties: { ...(configJsonSchema().properties as object), newField: { type: "string" } },
    };
    const paths = schemaFields(fake as never).map((f) => f.path);
    expect(paths.filter((p) => FIELD_DOCS[p] === undefined)).toEqual(["newField"]);
    expect(renderReference(fake as never, [])).toContain("| `newField` | string |  |  | (undocumented) |");
  });

  it("README documents upstream leavers and the 2048-character limit of custom attributes", () => {
    const readme = read("README.md");
    expect(readme).toContain("#### When a person leaves at the upstream (Okta, Entra ID, Google)");
    expect(readme).toContain("**Their Cognito user stays enabled**");
    expect(readme).toContain("**`inactiveDays` catches them**");
    expect(readme).toContain("admin-disable-user");
    expect(readme).toContain("**Custom attributes hold at most 2048 characters.**");
  });
});

describe("JSON Schema (config/config.schema.json)", () => {
  // ajv 6 compiles patterns without the u flag; the schema's patterns use \p{…} classes, as zod does.
  const ajv = new Ajv({
    allErrors: true,
    regExp: (pattern: string) => new RegExp(pattern, "u"),
  } as Ajv.Options & { regExp: (p: string) => RegExp });
  const validate = ajv.compile(JSON.parse(read(JSON_SCHEMA_FILE)));
  const errorsOf = (config: unknown) => (validate(config) ? [] : (validate.errors ?? []));

  it("is what npm run config:schema generates from the zod schema (run it after changing the schema)", () => {
    expect(read(JSON_SCHEMA_FILE)).toBe(configJsonSchemaText());
  });

  it("is named by $schema in the example and test configs, and validates them", () => {
    const files = [
      "config/example.json",
      "__tests__/fixtures/config/rich.json",
      "__tests__/fixtures/config/federated.json",
    ];
    for (const file of files) {
      const config = JSON.parse(read(file));
      expect(path.resolve(ROOT, path.dirname(file), config.$schema)).toBe(path.join(ROOT, JSON_SCHEMA_FILE));
      expect(errorsOf(config)).toEqual([]);
    }
  });

  const example = () => JSON.parse(read("config/example.json"));
  const federated = () => JSON.parse(read("__tests__/fixtures/config/federated.json"));
  const expressible: [string, () => any, (c: any) => void, string][] = [
    [
      "an issuerUrl ending in /.well-known/openid-configuration",
      federated,
      (c) =>
        (c.cognito.upstreamProviders[0].issuerUrl =
          "https://accounts.google.com/.well-known/openid-configuration"),
      "/cognito/upstreamProviders/0/issuerUrl",
    ],
    [
      "OIDC scopes without openid",
      federated,
      (c) => (c.cognito.upstreamProviders[0].scopes = ["email"]),
      "/cognito/upstreamProviders/0/scopes",
    ],
    ["a misspelt key", example, (c) => (c.cognito.upstreamProvider = []), "/cognito"],
    ["a misspelt region", example, (c) => (c.cognito.region = "eu-west1"), "/cognito/region"],
    ["a misspelt enum value", example, (c) => (c.cognito.mfa = "OPTINAL"), "/cognito/mfa"],
    [
      "a permission set name over 32 characters",
      example,
      (c) => (c.identityCenter.permissionSets[0].name = "A".repeat(33)),
      "/identityCenter/permissionSets/0/name",
    ],
    [
      "an account id that is not 12 digits",
      example,
      (c) => (c.identityCenter.permissionSets[0].assignments[0].accounts = ["1234"]),
      "/identityCenter/permissionSets/0/assignments/0/accounts/0",
    ],
  ];

  it.each(expressible)("rejects %s, as npm run validate does", (_name, base, change, at) => {
    const config = base();
    change(config);
    expect(
      errorsOf(config).map((e) =>
        e.dataPath
          .replace(/\[(\d+)\]/g, "/$1")
          .replace(/\['?([^'\]]+)'?\]/g, "/$1")
          .replace(/\./g, "/"),
      ),
    ).toContain(at);
    expect(() => parseConfig(config)).toThrow();
  });

  // Rules between fields need the whole config and the managed policy list: only npm run validate has them.
  it("leaves the rules between fields to npm run validate, which refuses what the schema lets through", () => {
    const c = federated();
    c.cognito.iamFederation.roles[0].requiredGroups = ["auditor"];
    c.backend.kmsKeyId = "arn:aws:kms:eu-west-1:111111111111:alias/tfstate";
    c.identityCenter.permissionSets = [
      { name: "RO", managedPolicies: ["arn:aws:iam::aws:policy/ReadOnlyAcess"] },
    ];
    expect(errorsOf(c)).toEqual([]);
    expect(() => parseConfig(c)).toThrow(
      /requiredGroups\[0\][\s\S]*kmsKeyId|kmsKeyId[\s\S]*requiredGroups\[0\]/,
    );
  });
});
