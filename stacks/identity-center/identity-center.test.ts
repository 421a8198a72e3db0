import { rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { DataAwsSsoadminInstances } from "@cdktf/provider-aws/lib/data-aws-ssoadmin-instances";
import { IdentitystoreGroup } from "@cdktf/provider-aws/lib/identitystore-group";
import { SsoadminInstanceAccessControlAttributes } from "@cdktf/provider-aws/lib/ssoadmin-instance-access-control-attributes";
import { SsoadminPermissionSet } from "@cdktf/provider-aws/lib/ssoadmin-permission-set";
import { App } from "cdktf";
import { ConfigError, parseConfig, type BridgeConfig, type BridgeConfigInput } from "../../config";
import { applyOffline, describeIfTerraform } from "../../__tests__/helpers/terraform-cli";
import {
  configWith,
  exampleInput,
  json,
  resources,
  synthBridge,
  type TerraformJson,
} from "../../__tests__/helpers/stacks";
import { IdentityCenterStack } from ".";
import { tempDir } from "../../__tests__/helpers/temp-dirs";

const A = "111111111111";
const B = "222222222222";
const C = "333333333333";
const D = "444444444444";

/** An inline policy with IAM policy variables, which must reach IAM as written. */
const INLINE_POLICY = {
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject"],
      Resource: "arn:aws:s3:::data-lake/home/${aws:username}/*",
    },
    { Effect: "Deny", Action: "iam:*", Resource: "*" },
  ],
};

/** Not the example: other groups (one with a space), permission sets, accounts and every policy kind. */
function acme(c: BridgeConfigInput): void {
  c.environment = "staging";
  c.identityCenter.groups = [
    { name: "sec-auditors", description: "Security auditors" },
    { name: "data eng", description: "Data engineering" },
    { name: "billing" },
  ];
  c.identityCenter.permissionSets = [
    {
      name: "SecurityAudit",
      description: "Read security posture",
      sessionDuration: "PT2H",
      relayState: "https://console.aws.amazon.com/securityhub/home",
      managedPolicies: [
        "arn:aws:iam::aws:policy/SecurityAudit",
        "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
      ],
      customerManagedPolicies: [{ name: "audit-extra", path: "/team/" }, { name: "audit-base" }],
      permissionsBoundary: { managedPolicyArn: "arn:aws:iam::aws:policy/PowerUserAccess" },
      assignments: [
        { group: "sec-auditors", accounts: [A, B, C] },
        { group: "billing", accounts: [A] },
      ],
    },
    {
      name: "DataEngineer",
      description: "Data lake access",
      sessionDuration: "PT1H30M",
      inlinePolicy: INLINE_POLICY,
      permissionsBoundary: { customerManagedPolicy: { name: "data-boundary", path: "/boundaries/" } },
      assignments: [{ group: "data eng", accounts: [B, C] }],
    },
    {
      name: "Billing",
      managedPolicies: ["arn:aws:iam::aws:policy/job-function/Billing"],
      assignments: [{ group: "billing", accounts: [D] }],
    },
  ];
  c.cognito.groups = [{ name: "cognito-auditors" }];
  c.cognito.provisioning = { groupMap: { "cognito-auditors": "sec-auditors" } };
}

const EXPECTED_ASSIGNMENTS = [
  ["SecurityAudit", "sec-auditors", A],
  ["SecurityAudit", "sec-auditors", B],
  ["SecurityAudit", "sec-auditors", C],
  ["SecurityAudit", "billing", A],
  ["DataEngineer", "data eng", B],
  ["DataEngineer", "data eng", C],
  ["Billing", "billing", D],
].map((t) => t.join(" | "));

/** The logical id a `${<type>.<id>.<attribute>}` reference points to. */
function refId(expression: string, type: string): string {
  const m = new RegExp(`^\\$\\{${type}\\.([^.]+)\\.[a-z_]+\\}$`).exec(expression);
  if (!m) throw new Error(`expected a reference to ${type}, got ${expression}`);
  return m[1];
}

/** `resource.<type>.<id>`, `data.<type>.<id>` and `output.<name>` of a synthesized stack. */
function addresses(synthesized: string): string[] {
  const j = json(synthesized);
  const out: string[] = [];
  for (const kind of ["resource", "data"] as const) {
    for (const [type, byId] of Object.entries((j[kind] ?? {}) as TerraformJson)) {
      for (const id of Object.keys(byId)) out.push(`${kind}.${type}.${id}`);
    }
  }
  for (const name of Object.keys(j.output ?? {})) out.push(`output.${name}`);
  return out.sort();
}

/** Every resource body by address, `depends_on` sorted (its order carries no meaning). */
function resourceBodies(synthesized: string): Map<string, unknown> {
  const bodies = new Map<string, unknown>();
  for (const [type, byId] of Object.entries((json(synthesized).resource ?? {}) as TerraformJson)) {
    for (const [id, body] of Object.entries(byId as TerraformJson)) {
      const copy = { ...(body as TerraformJson) };
      if (Array.isArray(copy.depends_on)) copy.depends_on = [...copy.depends_on].sort();
      bodies.set(`${type}.${id}`, copy);
    }
  }
  return bodies;
}

describe("identity-center stack for a config with several groups, permission sets and accounts", () => {
  const config = configWith(acme);
  const bridge = synthBridge(config);
  const ic = bridge.identityCenter;

  const groups = resources(ic, "aws_identitystore_group");
  const sets = resources(ic, "aws_ssoadmin_permission_set");
  const groupName = (expr: string) => groups[refId(expr, "aws_identitystore_group")].display_name as string;
  const setName = (expr: string) => sets[refId(expr, "aws_ssoadmin_permission_set")].name as string;
  const bySet = (type: string) =>
    Object.values(resources(ic, type)).map((r: TerraformJson) => ({ set: setName(r.permission_set_arn), r }));

  it("creates exactly one Identity Store group per configured group", () => {
    expect(Object.keys(groups)).toHaveLength(3);
    expect(Object.values(groups).map((g: TerraformJson) => [g.display_name, g.description ?? null])).toEqual(
      expect.arrayContaining([
        ["sec-auditors", "Security auditors"],
        ["data eng", "Data engineering"],
        ["billing", null],
      ]),
    );
    expect(ic).toHaveResourceWithProperties(IdentitystoreGroup, {
      display_name: "data eng",
      description: "Data engineering",
      identity_store_id: expect.stringMatching(
        /^\$\{element\(data\.aws_ssoadmin_instances\.[^.]+\.identity_store_ids, 0\)\}$/,
      ),
    });
  });

  it("creates exactly the permission sets with name, description, session duration and relay state", () => {
    expect(Object.keys(sets)).toHaveLength(3);
    expect(ic).toHaveResourceWithProperties(SsoadminPermissionSet, {
      name: "SecurityAudit",
      description: "Read security posture",
      session_duration: "PT2H",
      relay_state: "https://console.aws.amazon.com/securityhub/home",
    });
    expect(ic).toHaveResourceWithProperties(SsoadminPermissionSet, {
      name: "DataEngineer",
      description: "Data lake access",
      session_duration: "PT1H30M",
    });
    const billing = Object.values(sets).find((s: TerraformJson) => s.name === "Billing") as TerraformJson;
    expect(billing.session_duration).toBe("PT1H");
    expect(billing).not.toHaveProperty("description");
    expect(billing).not.toHaveProperty("relay_state");
    for (const s of Object.values(sets) as TerraformJson[]) {
      expect(s.instance_arn).toMatch(/^\$\{element\(data\.aws_ssoadmin_instances\.[^.]+\.arns, 0\)\}$/);
    }
  });

  it("attaches exactly the managed policies", () => {
    const attached = bySet("aws_ssoadmin_managed_policy_attachment").map(
      ({ set, r }) => `${set} ${r.managed_policy_arn}`,
    );
    expect(attached.sort()).toEqual(
      [
        "Billing arn:aws:iam::aws:policy/job-function/Billing",
        "SecurityAudit arn:aws:iam::aws:policy/SecurityAudit",
        "SecurityAudit arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
      ].sort(),
    );
  });

  it("attaches exactly the customer-managed policies, path defaulting to /", () => {
    const attached = bySet("aws_ssoadmin_customer_managed_policy_attachment").map(({ set, r }) => ({
      set,
      ref: r.customer_managed_policy_reference,
    }));
    expect(attached).toHaveLength(2);
    expect(attached).toEqual(
      expect.arrayContaining([
        { set: "SecurityAudit", ref: { name: "audit-extra", path: "/team/" } },
        { set: "SecurityAudit", ref: { name: "audit-base", path: "/" } },
      ]),
    );
  });

  it("writes the one inline policy as the configured JSON, IAM policy variables intact", () => {
    const inline = bySet("aws_ssoadmin_permission_set_inline_policy");
    expect(inline.map(({ set }) => set)).toEqual(["DataEngineer"]);
    const text = inline[0].r.inline_policy as string;
    // Terraform reads `$${` as a literal `${`: the policy variable is not a Terraform interpolation.
    expect(text).toContain("home/$${aws:username}/*");
    expect(text).not.toMatch(/(^|[^$])\$\{/);
    expect(JSON.parse(text.replace(/\$\$\{/g, "${"))).toEqual(INLINE_POLICY);
  });

  it("attaches a permissions boundary in both forms", () => {
    const boundaries = bySet("aws_ssoadmin_permissions_boundary_attachment").map(({ set, r }) => ({
      set,
      boundary: r.permissions_boundary,
    }));
    expect(boundaries).toHaveLength(2);
    expect(boundaries).toEqual(
      expect.arrayContaining([
        { set: "SecurityAudit", boundary: { managed_policy_arn: "arn:aws:iam::aws:policy/PowerUserAccess" } },
        {
          set: "DataEngineer",
          boundary: { customer_managed_policy_reference: { name: "data-boundary", path: "/boundaries/" } },
        },
      ]),
    );
  });

  it("assigns every (permission set, group, account) to the group in the account, and nothing else", () => {
    const assignments = Object.values(resources(ic, "aws_ssoadmin_account_assignment")) as TerraformJson[];
    expect(assignments).toHaveLength(EXPECTED_ASSIGNMENTS.length);
    for (const a of assignments) {
      expect(a).toMatchObject({ principal_type: "GROUP", target_type: "AWS_ACCOUNT" });
      expect(a.instance_arn).toMatch(/^\$\{element\(data\.aws_ssoadmin_instances\.[^.]+\.arns, 0\)\}$/);
      expect(refId(a.principal_id, "aws_identitystore_group")).toBeTruthy();
    }
    const tuples = assignments.map((a) =>
      [setName(a.permission_set_arn), groupName(a.principal_id), a.target_id].join(" | "),
    );
    expect(tuples.sort()).toEqual([...EXPECTED_ASSIGNMENTS].sort());
  });

  it("provisions an assignment only after every policy of its permission set is attached", () => {
    const policyAddresses = (set: string) =>
      [
        "aws_ssoadmin_managed_policy_attachment",
        "aws_ssoadmin_customer_managed_policy_attachment",
        "aws_ssoadmin_permission_set_inline_policy",
        "aws_ssoadmin_permissions_boundary_attachment",
      ].flatMap((type) =>
        Object.entries(resources(ic, type))
          .filter(([, r]) => setName((r as TerraformJson).permission_set_arn) === set)
          .map(([id]) => `${type}.${id}`),
      );
    for (const a of Object.values(resources(ic, "aws_ssoadmin_account_assignment")) as TerraformJson[]) {
      expect([...(a.depends_on ?? [])].sort()).toEqual(policyAddresses(setName(a.permission_set_arn)).sort());
    }
  });

  it("reads the IdC instance and fails the plan clearly when the account has none", () => {
    expect(ic).toHaveDataSourceWithProperties(DataAwsSsoadminInstances, {
      lifecycle: {
        postcondition: [
          {
            condition: "${length(self.arns) > 0}",
            error_message: expect.stringMatching(
              /^No IAM Identity Center instance in this account and region: /,
            ),
          },
        ],
      },
    });
  });

  it("checks that identityCenter.issuerUrl belongs to this instance before exporting the identity store id", () => {
    const output = json(ic).output.identity_store_id;
    expect(output.precondition).toEqual([
      {
        condition: expect.stringMatching(
          /^\$\{endswith\("https:\/\/eu-west-1\.signin\.aws\.amazon\.com\/platform\/saml\/d-1234567890", element\(data\.aws_ssoadmin_instances\.[^.]+\.identity_store_ids, 0\)\)\}$/,
        ),
        error_message: expect.stringContaining("identityCenter.issuerUrl (https://eu-west-1.signin"),
      },
    ]);
  });

  it("outputs what people need in the console", () => {
    const outputs = json(ic).output;
    const instances = Object.keys(json(ic).data.aws_ssoadmin_instances)[0];
    const storeId = `element(data.aws_ssoadmin_instances.${instances}.identity_store_ids, 0)`;
    expect(outputs.identity_store_id.value).toBe(`\${${storeId}}`);
    expect(outputs.instance_arn.value).toBe(`\${element(data.aws_ssoadmin_instances.${instances}.arns, 0)}`);
    expect(outputs.access_portal_url.value).toBe(`https://\${${storeId}}.awsapps.com/start`);
    const local = (expr: string) => json(ic).locals[/^\$\{local\.(.+)\}$/.exec(expr)![1]];
    expect(local(outputs.saml_issuer_url.value)).toBe(config.identityCenter.issuerUrl);
    expect(local(outputs.saml_acs_url.value)).toBe(config.identityCenter.acsUrl);
    const groupIds = outputs.group_ids.value as Record<string, string>;
    expect(Object.keys(groupIds).sort()).toEqual(["billing", "data eng", "sec-auditors"]);
    for (const [name, ref] of Object.entries(groupIds)) {
      expect(ref).toMatch(/^\$\{aws_identitystore_group\.[^.]+\.group_id\}$/);
      expect(groupName(ref)).toBe(name);
    }
    for (const name of [
      "identity_store_id",
      "instance_arn",
      "access_portal_url",
      "saml_issuer_url",
      "saml_acs_url",
      "group_ids",
    ]) {
      expect(outputs[name].description).toBeTruthy();
      expect(outputs[name].sensitive).toBeUndefined();
    }
  });

  it("exports what the other stacks read: identity store, region, mapped group ids, SAML issuer and ACS", () => {
    const outputs = json(ic).output as Record<string, { value: string }>;
    const crossStack = Object.entries(outputs)
      .filter(([name]) => name.startsWith("cross-stack-output-"))
      .map(([, o]) => o.value);
    const auditors = Object.entries(groups).find(
      ([, g]) => (g as TerraformJson).display_name === "sec-auditors",
    )![0];
    const saml = (suffix: string) => Object.keys(json(ic).locals).find((l) => l.includes(suffix));
    expect(crossStack).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\$\{data\.aws_ssoadmin_instances\.[^.]+\.identity_store_ids\}$/),
        expect.stringMatching(/^\$\{data\.aws_region\.[^.]+\.region\}$/),
        expect.stringMatching(/^\$\{data\.aws_partition\.[^.]+\.partition\}$/),
        `\${aws_identitystore_group.${auditors}.group_id}`,
        `\${local.${saml("saml_issuer_url")}}`,
        `\${local.${saml("saml_acs_url")}}`,
      ]),
    );
    // Not the deploying account: the store belongs to the management account even when a delegated
    // administrator deploys this stack, and store ids are globally unique.
    expect(crossStack.join(" ")).not.toContain("aws_caller_identity");
    expect(bridge.cognito).toMatch(/:identitystore::\*:identitystore\/\$\{element\(/);
  });

  it("declares every output the cognito and cloudflare-access stacks read from its state", () => {
    const ownKey = json(ic).terraform.backend.s3.key;
    for (const consumer of [bridge.cognito, bridge.cloudflareAccess]) {
      const remote = Object.entries(json(consumer).data.terraform_remote_state as TerraformJson).find(
        ([, r]) => (r as TerraformJson).config.key === ownKey,
      );
      expect(remote).toBeDefined();
      const read = [
        ...consumer.matchAll(
          new RegExp(`data\\.terraform_remote_state\\.${remote![0]}\\.outputs\\.([\\w-]+)`, "g"),
        ),
      ].map((m) => m[1]);
      expect(read.length).toBeGreaterThan(0);
      for (const name of read) expect(json(ic).output).toHaveProperty([name]);
    }
  });

  it("renders no access-control attributes when none are configured", () => {
    expect(resources(ic, "aws_ssoadmin_instance_access_control_attributes")).toEqual({});
  });
});

describe("identity-center resource addresses", () => {
  const base = synthBridge(configWith(acme)).identityCenter;

  it("stay identical when groups, permission sets, assignments, accounts and policies are reordered", () => {
    const reordered = synthBridge(
      configWith((c) => {
        acme(c);
        const ic = c.identityCenter;
        ic.groups!.reverse();
        ic.permissionSets!.reverse();
        for (const ps of ic.permissionSets!) {
          ps.managedPolicies?.reverse();
          ps.customerManagedPolicies?.reverse();
          ps.assignments?.reverse();
          ps.assignments?.forEach((a) => a.accounts.reverse());
        }
      }),
    ).identityCenter;
    expect(addresses(reordered)).toEqual(addresses(base));
    expect(resourceBodies(reordered)).toEqual(resourceBodies(base));
  });

  it("do not change when a group and its assignment are added: only the new resources appear", () => {
    const grown = synthBridge(
      configWith((c) => {
        acme(c);
        c.identityCenter.groups!.unshift({ name: "newcomers", description: "New joiners" });
        c.identityCenter.permissionSets![0].assignments!.unshift({ group: "newcomers", accounts: [A] });
      }),
    ).identityCenter;
    const before = resourceBodies(base);
    const after = resourceBodies(grown);
    for (const [address, body] of before) expect(after.get(address)).toEqual(body);
    const added = [...after.keys()].filter((a) => !before.has(a));
    expect(added.map((a) => a.split(".")[0]).sort()).toEqual([
      "aws_identitystore_group",
      "aws_ssoadmin_account_assignment",
    ]);
  });
});

describe("identity-center with several ABAC attributes", () => {
  const ic = synthBridge(
    configWith((c) => {
      c.identityCenter.accessControlAttributes = {
        Department: "${path:enterprise.department}",
        CostCenter: "${path:enterprise.costCenter}",
      };
      // The config refuses an enterprise path the JIT Lambda never fills.
      c.cognito.customAttributes = [{ name: "department" }, { name: "cost_center" }];
      c.cognito.provisioning = {
        ...c.cognito.provisioning,
        enterpriseAttributes: { department: "custom:department", costCenter: "custom:cost_center" },
      };
    }),
  ).identityCenter;

  it("renders aws_ssoadmin_instance_access_control_attributes with each key and its source, kept literal", () => {
    const all = Object.values(
      resources(ic, "aws_ssoadmin_instance_access_control_attributes"),
    ) as TerraformJson[];
    expect(all).toHaveLength(1);
    expect(all[0].instance_arn).toMatch(/^\$\{element\(data\.aws_ssoadmin_instances\.[^.]+\.arns, 0\)\}$/);
    expect(ic).toHaveResourceWithProperties(SsoadminInstanceAccessControlAttributes, {
      attribute: [
        { key: "Department", value: [{ source: ["$${path:enterprise.department}"] }] },
        { key: "CostCenter", value: [{ source: ["$${path:enterprise.costCenter}"] }] },
      ],
    });
  });
});

describeIfTerraform("identity-center literals through the Terraform CLI", () => {
  const odd = 'ops ${team} %{x} "q"';
  const escapedOdd = 'ops $${team} %%{x} "q"';
  const bridge = synthBridge(
    configWith((c) => {
      acme(c);
      c.identityCenter.groups!.push({ name: odd, description: `Group of ${odd}` });
      c.identityCenter.accessControlAttributes = { Department: "${path:enterprise.department}" };
      c.cognito.customAttributes = [{ name: "department" }];
      c.cognito.provisioning = {
        ...c.cognito.provisioning,
        enterpriseAttributes: { department: "custom:department" },
      };
    }),
  );
  const ic = json(bridge.identityCenter);
  let dir: string | undefined;
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("reach Terraform unchanged, and the issuer check passes only for the matching instance", () => {
    const inline = Object.values(ic.resource.aws_ssoadmin_permission_set_inline_policy)[0] as TerraformJson;
    const group = ic.resource.aws_identitystore_group[
      refId(ic.output.group_ids.value[escapedOdd], "aws_identitystore_group")
    ] as TerraformJson;
    const abac = Object.values(
      ic.resource.aws_ssoadmin_instance_access_control_attributes,
    )[0] as TerraformJson;
    const condition = ic.output.identity_store_id.precondition[0].condition as string;
    const storeId = /element\(data\.aws_ssoadmin_instances\.[^.]+\.identity_store_ids, 0\)/;
    const outputs = {
      inline_policy: { value: inline.inline_policy },
      display_name: { value: group.display_name },
      description: { value: group.description },
      abac_source: { value: abac.attribute[0].value[0].source[0] },
      // Group ids are resource references: plain strings stand in for them, the keys are what is tested.
      group_ids: { value: Object.fromEntries(Object.keys(ic.output.group_ids.value).map((k) => [k, "id"])) },
      issuer_matches: { value: condition.replace(storeId, '"d-1234567890"') },
      issuer_other_instance: { value: condition.replace(storeId, '"d-0987654321"') },
    };
    dir = tempDir("idc-literals-");
    writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify({ output: outputs }));
    const values = applyOffline(dir);
    expect(JSON.parse(values.inline_policy as string)).toEqual(INLINE_POLICY);
    expect(values.display_name).toBe(odd);
    expect(values.description).toBe(`Group of ${odd}`);
    expect(values.abac_source).toBe("${path:enterprise.department}");
    expect(Object.keys(values.group_ids as object).sort()).toEqual(
      ["billing", "data eng", odd, "sec-auditors"].sort(),
    );
    expect(values.issuer_matches).toBe(true);
    expect(values.issuer_other_instance).toBe(false);
  });
});

describe("identity-center config errors", () => {
  const parse = (change: (c: BridgeConfigInput) => void) => () => {
    const input = exampleInput();
    change(input);
    parseConfig(input);
  };

  it("rejects an inline policy that is not JSON, naming the field", () => {
    const run = parse((c) => {
      c.identityCenter.permissionSets![0].inlinePolicy = '{"Version": "2012-10-17", "Statement": [';
    });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(
      /identityCenter\.permissionSets\[0\]\.inlinePolicy: expected an IAM policy JSON document/,
    );
  });

  it("rejects an inline policy without statements, naming the field", () => {
    const run = parse((c) => {
      c.identityCenter.permissionSets![2].inlinePolicy = { Version: "2012-10-17" };
    });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(
      /identityCenter\.permissionSets\[2\]\.inlinePolicy\.Statement: expected a statement object or a non-empty list of statements/,
    );
  });

  it("rejects an assignment to an undeclared group, naming the field and the known groups", () => {
    const run = parse((c) => {
      c.identityCenter.permissionSets![1].assignments = [{ group: "ghosts", accounts: [A] }];
    });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(
      /identityCenter\.permissionSets\[1\]\.assignments\[0\]\.group: expected one of identityCenter\.groups: platform-admins, developers, readers; got "ghosts"/,
    );
  });
});

describe("IdentityCenterStack given a config that skipped validation", () => {
  const stack = (change: (c: BridgeConfig) => void) => {
    const config = configWith();
    change(config);
    return new IdentityCenterStack(new App({ outdir: tempDir("idc-app-") }), "test-identity-center", {
      state: { backend: { type: "local" }, environment: "test", localRootFromStackDir: "." },
      tags: {},
      identityCenter: config.identityCenter,
    });
  };

  it("refuses an assignment to an unknown group with a clear message", () => {
    expect(() =>
      stack((c) => {
        c.identityCenter.permissionSets[0].assignments.push({ group: "ghosts", accounts: [A] });
      }),
    ).toThrow(/identityCenter\.permissionSets "Admin": assignment to unknown group "ghosts"/);
  });
});
