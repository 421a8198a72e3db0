/**
 * The deprovisioning Lambda hears of leavers from an EventBridge rule on `AWS API Call via CloudTrail` events
 * (AdminDisableUser, AdminDeleteUser on this pool). EventBridge receives those only while a CloudTrail trail
 * with logging on records them: "To record events with a detail-type value of AWS API Call via CloudTrail, a
 * CloudTrail trail with logging enabled is required" (Amazon EventBridge User Guide, "Events from AWS
 * services"). This check finds such a trail for the pool's region: the region's own trails, multi-region
 * trails and organization trails (DescribeTrails with shadow trails), logging (GetTrailStatus IsLogging),
 * whose basic or advanced event selectors take write management events of cognito-idp.amazonaws.com
 * (GetEventSelectors; CloudTrail User Guide, "Logging management events" and "Filtering data events by using
 * advanced event selectors": Equals/StartsWith/EndsWith and their Not forms, all fields of a selector must
 * match, any selector may).
 */
import {
  DescribeTrailsCommand,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  type AdvancedEventSelector,
  type AdvancedFieldSelector,
  type EventSelector,
  type Trail,
} from "@aws-sdk/client-cloudtrail";
import { TRIGGER_EVENT_NAMES } from "../../lambda-src/deprovisioning/contract";
import { fail, message, pass, type Check, type CheckResult } from "./check";

const EVENT_SOURCE = "cognito-idp.amazonaws.com";

/** The fields of one CloudTrail record that advanced selectors can match. */
type EventFields = Readonly<Record<string, string>>;

function fieldMatches(selector: AdvancedFieldSelector, value: string | undefined): boolean {
  // A field the event does not have (such as resources.type, for data events) selects nothing here.
  if (value === undefined) return false;
  const any = (list: string[] | undefined, test: (v: string) => boolean) => (list ?? []).some(test);
  if (selector.Equals && !any(selector.Equals, (v) => v === value)) return false;
  if (selector.StartsWith && !any(selector.StartsWith, (v) => value.startsWith(v))) return false;
  if (selector.EndsWith && !any(selector.EndsWith, (v) => value.endsWith(v))) return false;
  if (any(selector.NotEquals, (v) => v === value)) return false;
  if (any(selector.NotStartsWith, (v) => value.startsWith(v))) return false;
  if (any(selector.NotEndsWith, (v) => value.endsWith(v))) return false;
  return true;
}

const advancedMatches = (selector: AdvancedEventSelector, event: EventFields) =>
  (selector.FieldSelectors ?? []).every((f) =>
    fieldMatches(f, f.Field === undefined ? undefined : event[f.Field]),
  );

const basicMatches = (selector: EventSelector) =>
  selector.IncludeManagementEvents !== false &&
  (selector.ReadWriteType ?? "All") !== "ReadOnly" &&
  !(selector.ExcludeManagementEventSources ?? []).includes(EVENT_SOURCE);

/** Whether a trail's selectors take every event the deprovisioner listens to; a trail without any takes all. */
export function recordsPoolEvents(
  basic: readonly EventSelector[] | undefined,
  advanced: readonly AdvancedEventSelector[] | undefined,
): boolean {
  if ((advanced ?? []).length > 0) {
    return TRIGGER_EVENT_NAMES.every((eventName) =>
      advanced!.some((s) =>
        advancedMatches(s, {
          eventCategory: "Management",
          readOnly: "false",
          eventSource: EVENT_SOURCE,
          eventName,
        }),
      ),
    );
  }
  return basic === undefined || basic.length === 0 || basic.some(basicMatches);
}

function describe(trail: Trail): string {
  const scope = [trail.IsOrganizationTrail && "organization", trail.IsMultiRegionTrail && "multi-region"]
    .filter(Boolean)
    .join(", ");
  return `${trail.Name}${scope ? ` (${scope})` : ""}`;
}

export const cloudTrailCheck: Check = async (deps, outputs) => {
  // The leavers Lambda exists in every deployment that has this output; older ones have no event rule.
  if (outputs.output("cognito", "deprovisioning_function") === undefined) return [];
  const region = deps.config.cognito.region;
  const title = `CloudTrail: a trail records the user pool's management events in ${region}`;
  const hint =
    "without one, EventBridge never sees AdminDisableUser/AdminDeleteUser and leavers wait for the scheduled " +
    `reconciliation: create a multi-region trail that logs write management events and start its logging ` +
    `(aws cloudtrail create-trail --name … --s3-bucket-name … --is-multi-region-trail; aws cloudtrail start-logging --name …)`;
  let trails: Trail[];
  try {
    trails =
      (await deps.cloudtrail.send(new DescribeTrailsCommand({ includeShadowTrails: true }))).trailList ?? [];
  } catch (error) {
    return [fail(title, message(error), `needs cloudtrail:DescribeTrails in ${region}`)];
  }
  const applicable = trails.filter((t) => t.HomeRegion === region || t.IsMultiRegionTrail === true);
  const refused: string[] = [];
  for (const trail of applicable) {
    const name = trail.TrailARN ?? trail.Name;
    try {
      const status = await deps.cloudtrail.send(new GetTrailStatusCommand({ Name: name }));
      if (status.IsLogging !== true) {
        refused.push(`${describe(trail)}: logging is off`);
        continue;
      }
      const selectors = await deps.cloudtrail.send(new GetEventSelectorsCommand({ TrailName: name }));
      if (!recordsPoolEvents(selectors.EventSelectors, selectors.AdvancedEventSelectors)) {
        refused.push(
          `${describe(trail)}: its event selectors leave out write management events of ${EVENT_SOURCE}`,
        );
        continue;
      }
      return [pass(title, `trail ${describe(trail)}`)];
    } catch (error) {
      refused.push(`${describe(trail)}: ${message(error)}`);
    }
  }
  const detail =
    applicable.length === 0
      ? `no trail in ${region} and no multi-region or organization trail`
      : `no trail does: ${refused.join("; ")}`;
  return [fail(title, detail, hint)] satisfies CheckResult[];
};
