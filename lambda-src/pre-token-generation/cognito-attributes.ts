/**
 * Writes to the person's Cognito user: the signed link to their IdC user (`custom:idc_user_id` and
 * `custom:idc_link_sig`, on first provisioning, relinks and when the link did not verify) and, with RECORD_LAST_SIGN_IN, the day of their last sign-in
 * (`custom:idc_last_sign_in`, at most once a day). One AdminUpdateUserAttributes call on the event's own
 * user pool, with the client created once per container. Failures are tolerated by the caller: the link
 * is an optimisation (an unlinked person is looked up by email) and the date is best effort.
 */
import {
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
} from "@aws-sdk/client-cognito-identity-provider";
import { clientSettings } from "../shared/identity-store-client";
import { Pacer, pacingPlugin } from "../shared/pacing";
import { IDC_USER_ID_ATTRIBUTE, LAST_SIGN_IN_ATTRIBUTE, LINK_SIGNATURE_ATTRIBUTE } from "./contract";

/** Cognito's UserUpdate category allows 25 requests/s: each container stays below it on its own. */
export const COGNITO_PACING = { ratePerSecond: 20, burst: 10 } as const;

export interface CognitoAttributeWriter {
  update(
    userPoolId: string,
    username: string,
    attributes: Readonly<Record<string, string>>,
    abortSignal: AbortSignal,
  ): Promise<void>;
}

/** The Cognito client (region and endpoint from the Lambda's environment: AWS_REGION, AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER). */
export function createCognitoClient(): CognitoIdentityProviderClient {
  const client = new CognitoIdentityProviderClient(clientSettings());
  client.middlewareStack.use(pacingPlugin(new Pacer(COGNITO_PACING)));
  return client;
}

export function cognitoAttributeWriter(client: CognitoIdentityProviderClient): CognitoAttributeWriter {
  return {
    async update(userPoolId, username, attributes, abortSignal) {
      await client.send(
        new AdminUpdateUserAttributesCommand({
          UserPoolId: userPoolId,
          Username: username,
          UserAttributes: Object.entries(attributes).map(([Name, Value]) => ({ Name, Value })),
        }),
        { abortSignal },
      );
    },
  };
}

/** Today in UTC as YYYY-MM-DD. */
export function utcDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

/**
 * What to write: the signed link when given (the person was not, or not validly, linked to this user), and
 * the sign-in day when recording is on and the event's value is older than today (or missing, or not a date).
 */
export function attributesToWrite(options: {
  readonly link: { readonly userId: string; readonly signature: string } | undefined;
  readonly recordLastSignIn: boolean;
  readonly lastSignIn: string | undefined;
  readonly today: string;
}): Record<string, string> {
  const attributes: Record<string, string> = {};
  if (options.link !== undefined) {
    attributes[IDC_USER_ID_ATTRIBUTE] = options.link.userId;
    attributes[LINK_SIGNATURE_ATTRIBUTE] = options.link.signature;
  }
  const recorded = /^\d{4}-\d{2}-\d{2}$/.test(options.lastSignIn ?? "") ? options.lastSignIn! : "";
  if (options.recordLastSignIn && recorded < options.today)
    attributes[LAST_SIGN_IN_ATTRIBUTE] = options.today;
  return attributes;
}
