/**
 * doctor's CloudTrail check: the leavers Lambda's EventBridge rule sees `AWS API Call via CloudTrail` events
 * only while a logging trail records them (EventBridge User Guide, "Events from AWS services"). CloudTrail is
 * aws-sdk-client-mock, answering as the CloudTrail API reference describes DescribeTrails (with shadow
 * trails: other regions' multi-region trails and organization trails), GetTrailStatus and GetEventSelectors
 * (basic EventSelectors or AdvancedEventSelectors).
 */
import {
  CloudTrailClient,
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  TrailNotFoundException,
  type GetEventSelectorsCommandOutput,
  type Trail,
} from "@aws-sdk/client-cloudtrail";
import { mockClient } from "aws-sdk-client-mock";
import { parseConfig } from "../../config";
import type { DeployedOutputs, DoctorDependencies } from "../../cli/doctor/check";
import { cloudTrailCheck, recordsPoolEvents } from "../../cli/doctor/cloudtrail";
import { exampleInput } from "../helpers/stacks";

const config = parseConfig(exampleInput()); // cognito.region eu-west-1
const cloudtrail = mockClient(CloudTrailClient);
const arn = (region: string, name: string) => `arn:aws:cloudtrail:${region}:111111111111:trail/${name}`;

interface FakeTrail {
  readonly trail: Trail;
  readonly logging: boolean | Error;
  readonly selectors: Partial<GetEventSelectorsCommandOutput>;
}

function install(trails: FakeTrail[]): void {
  cloudtrail.reset();
  cloudtrail
    .on(DescribeTrailsCommand, { includeShadowTrails: true })
    .resolves({ trailList: trails.map((t) => t.trail) });
  for (const t of trails) {
    const status = cloudtrail.on(GetTrailStatusCommand, { Name: t.trail.TrailARN });
    if (t.logging instanceof Error) status.rejects(t.logging);
    else status.resolves({ IsLogging: t.logging });
    cloudtrail.on(GetEventSelectorsCommand, { TrailName: t.trail.TrailARN }).resolves(t.selectors);
  }
}

const outputs = (deprovisioning: boolean): DeployedOutputs => ({
  output: (kind, name) =>
    kind === "cognito" && name === "deprovisioning_function" && deprovisioning ? "prod-leavers" : undefined,
  needs: () => {
    throw new Error("not used");
  },
});

async function check(deprovisioning = true) {
  const deps = {
    config,
    cloudtrail: new CloudTrailClient({ region: "eu-west-1" }),
  } as unknown as DoctorDependencies;
  return cloudTrailCheck(deps, outputs(deprovisioning));
}

const TITLE = "CloudTrail: a trail records the user pool's management events in eu-west-1";
const trail = (name: string, region: string, extra: Partial<Trail> = {}): Trail => ({
  Name: name,
  TrailARN: arn(region, name),
  HomeRegion: region,
  IsMultiRegionTrail: false,
  IsOrganizationTrail: false,
  ...extra,
});

describe("doctor: the CloudTrail trail of the leavers Lambda", () => {
  it("says no trail records the events when there is none, with what to do", async () => {
    install([]);
    const [result] = await check();
    expect(result).toMatchObject({ ok: false, title: TITLE });
    expect(result!.detail).toBe("no trail in eu-west-1 and no multi-region or organization trail");
    expect(result!.hint).toMatch(/create-trail .*--is-multi-region-trail.*start-logging/);
  });

  it("names a multi-region trail homed in another region (a shadow trail here), logging with default selectors", async () => {
    install([
      { trail: trail("elsewhere", "us-east-1"), logging: true, selectors: { EventSelectors: [] } },
      {
        trail: trail("org-audit", "us-east-1", { IsMultiRegionTrail: true, IsOrganizationTrail: true }),
        logging: true,
        selectors: { EventSelectors: [{ ReadWriteType: "All", IncludeManagementEvents: true }] },
      },
    ]);
    expect(await check()).toEqual([
      { ok: true, title: TITLE, detail: "trail org-audit (organization, multi-region)" },
    ]);
    // The single-region trail of another region is not asked about.
    expect(cloudtrail.commandCalls(GetTrailStatusCommand).map((c) => c.args[0].input.Name)).toEqual([
      arn("us-east-1", "org-audit"),
    ]);
  });

  it("refuses trails that do not log or whose selectors leave the pool's write events out, naming each", async () => {
    install([
      { trail: trail("stopped", "eu-west-1"), logging: false, selectors: {} },
      {
        trail: trail("reads-only", "eu-west-1"),
        logging: true,
        selectors: { EventSelectors: [{ ReadWriteType: "ReadOnly", IncludeManagementEvents: true }] },
      },
      {
        trail: trail("no-cognito", "eu-west-1", { IsMultiRegionTrail: true }),
        logging: true,
        selectors: {
          AdvancedEventSelectors: [
            {
              FieldSelectors: [
                { Field: "eventCategory", Equals: ["Management"] },
                { Field: "eventSource", NotEquals: ["cognito-idp.amazonaws.com"] },
              ],
            },
          ],
        },
      },
    ]);
    const [result] = await check();
    expect(result!.ok).toBe(false);
    expect(result!.detail).toBe(
      "no trail does: stopped: logging is off; reads-only: its event selectors leave out write management events of cognito-idp.amazonaws.com; no-cognito (multi-region): its event selectors leave out write management events of cognito-idp.amazonaws.com",
    );
  });

  it("keeps looking past a trail it cannot read (an organization trail seen from a member account)", async () => {
    install([
      {
        trail: trail("org", "us-east-1", { IsMultiRegionTrail: true, IsOrganizationTrail: true }),
        logging: new TrailNotFoundException({ message: "Unknown trail", $metadata: {} }),
        selectors: {},
      },
      {
        trail: trail("local", "eu-west-1"),
        logging: true,
        selectors: {
          AdvancedEventSelectors: [
            {
              FieldSelectors: [
                { Field: "eventCategory", Equals: ["Management"] },
                { Field: "readOnly", Equals: ["false"] },
              ],
            },
          ],
        },
      },
    ]);
    expect(await check()).toEqual([{ ok: true, title: TITLE, detail: "trail local" }]);
  });

  it("is not run for a deployment without the leavers Lambda", async () => {
    install([]);
    expect(await check(false)).toEqual([]);
    expect(cloudtrail.calls()).toHaveLength(0);
  });
});

describe("recordsPoolEvents (CloudTrail event selectors)", () => {
  const management = { Field: "eventCategory", Equals: ["Management"] };
  it.each([
    ["no selectors at all (a trail's default: every management event)", undefined, undefined, true],
    ["basic, all management events", [{ ReadWriteType: "All" as const }], undefined, true],
    [
      "basic, write-only",
      [{ ReadWriteType: "WriteOnly" as const, IncludeManagementEvents: true }],
      undefined,
      true,
    ],
    ["basic, data events only", [{ IncludeManagementEvents: false }], undefined, false],
    ["advanced, management", undefined, [{ FieldSelectors: [management] }], true],
    [
      "advanced, read-only",
      undefined,
      [{ FieldSelectors: [management, { Field: "readOnly", Equals: ["true"] }] }],
      false,
    ],
    [
      "advanced, cognito by prefix",
      undefined,
      [{ FieldSelectors: [management, { Field: "eventSource", StartsWith: ["cognito-"] }] }],
      true,
    ],
    [
      "advanced, only AdminDeleteUser (AdminDisableUser is missed)",
      undefined,
      [{ FieldSelectors: [management, { Field: "eventName", Equals: ["AdminDeleteUser"] }] }],
      false,
    ],
    [
      "advanced, data events of S3",
      undefined,
      [
        {
          FieldSelectors: [
            { Field: "eventCategory", Equals: ["Data"] },
            { Field: "resources.type", Equals: ["AWS::S3::Object"] },
          ],
        },
      ],
      false,
    ],
  ])("%s", (_name, basic, advanced, expected) => {
    expect(recordsPoolEvents(basic, advanced)).toBe(expected);
  });
});
