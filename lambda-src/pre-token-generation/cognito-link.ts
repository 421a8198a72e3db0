import type { Deadline } from "../shared/deadline";
import type { LinkKeys } from "../shared/link";
import { describeError, type Log, type MetricsSink } from "../shared/telemetry";
import { IDC_USER_ID_ATTRIBUTE, LINK_SIGNATURE_ATTRIBUTE } from "./contract";
import type { UserEvent } from "./event";
import { METRIC_NAMES, type MetricName } from "./metric-names";

const USER_ID_PATTERN =
  /^(?:[0-9a-f]{10}-)?[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$/;

/**
 * The link between a person's Cognito user and their IdC user (`custom:idc_user_id`), trusted only when its
 * signature (`custom:idc_link_sig`, lambda-src/shared/link.ts) verifies for this pool and this person's `sub`.
 */
export class CognitoLink {
  constructor(
    private readonly linkKeys: LinkKeys,
    private readonly log: Log,
    private readonly metrics: MetricsSink<MetricName>,
  ) {}

  /** The linked IdC user id from the event, when it is one. */
  private linkedUserId(parsed: UserEvent): string | undefined {
    const value = parsed.extraAttributes[IDC_USER_ID_ATTRIBUTE];
    if (value === undefined || value === "") return undefined;
    if (USER_ID_PATTERN.test(value)) return value;
    this.log.warn(`Ignoring ${IDC_USER_ID_ATTRIBUTE}: not an Identity Store user id`);
    return undefined;
  }

  /**
   * The linked IdC user id when the link's signature verifies for this pool and this person's `sub`; else
   * undefined: a forged link (another person's user id, or a link copied from another Cognito user) or one
   * written before links were signed is ignored, and the person is found by their own email and relinked.
   * The first verification of a container derives the link key (one kms:GenerateMac within the deadline);
   * a key that cannot be derived fails the sign-in, since without it no link can be trusted or written.
   */
  async verified(parsed: UserEvent, deadline: Deadline): Promise<string | undefined> {
    const linked = this.linkedUserId(parsed);
    if (linked === undefined) return undefined;
    const sub = parsed.extraAttributes.sub;
    const signature = parsed.extraAttributes[LINK_SIGNATURE_ATTRIBUTE];
    let valid = false;
    if (parsed.userPoolId !== undefined && sub !== undefined && signature !== undefined && signature !== "") {
      const key = await this.linkKeys.keyFor(parsed.userPoolId, deadline.signal);
      valid = key.verify(sub, linked, signature);
    }
    if (valid) return linked;
    this.metrics.add(METRIC_NAMES.LinksIgnored, 1);
    this.log.warn(
      "Ignoring a link whose signature does not verify (forged, or written before links were signed): the person is looked up by their own email",
      {
        ignoredUserId: linked,
        signature: signature === undefined || signature === "" ? "missing" : "invalid",
        cognitoUserName: parsed.cognitoUserName,
      },
    );
    return undefined;
  }

  /** The signed link to `userId`; undefined (logged, tolerated) when it cannot be signed. */
  async toWrite(
    parsed: UserEvent,
    userId: string,
    signal: AbortSignal,
  ): Promise<{ userId: string; signature: string } | undefined> {
    const sub = parsed.extraAttributes.sub;
    if (parsed.userPoolId === undefined || sub === undefined) {
      this.log.warn("Cannot sign the link: the event has no userPoolId or sub", { userId });
      return undefined;
    }
    try {
      const key = await this.linkKeys.keyFor(parsed.userPoolId, signal);
      return { userId, signature: key.sign(sub, userId) };
    } catch (error) {
      this.metrics.add(METRIC_NAMES.CognitoWriteFailures, 1);
      this.log.warn("Could not sign the link (tolerated: the sign-in goes on, the link is written later)", {
        userId,
        ...describeError(error),
      });
      return undefined;
    }
  }
}
