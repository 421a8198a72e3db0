import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  ListUsersCommand,
  type AttributeType,
} from "@aws-sdk/client-cognito-identity-provider";
import { createRequestHandler } from "../shared/identity-store-client";
import { BoundedRetryStrategy } from "../shared/retry-strategy";
import { IDC_USER_ID_ATTRIBUTE, LAST_SIGN_IN_ATTRIBUTE } from "../pre-token-generation/contract";
import { BACKGROUND_RETRIES, BACKGROUND_TIMEOUTS, MAX_PAGES } from "./identity-store";
import type { Pacer } from "./pacer";

/** What the deprovisioner needs to know about a Cognito user. */
export interface CognitoPerson {
  /** Cognito's user name (a sub, or `<provider>_<id>` for federated users). */
  readonly username: string;
  readonly enabled: boolean;
  /** Lowercased `email`, the IdC UserName the JIT Lambda gives the person. */
  readonly email: string | undefined;
  /** The linked IdC user id (`custom:idc_user_id`). */
  readonly idcUserId: string | undefined;
  /** `custom:idc_last_sign_in` (YYYY-MM-DD, UTC) when recorded. */
  readonly lastSignIn: string | undefined;
}

/** ListUsers returns at most 60 users a page (API reference: Limit, 0-60). */
export const COGNITO_PAGE_SIZE = 60;

export function createCognitoClient(region: string): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    region,
    maxAttempts: BACKGROUND_RETRIES.maxAttempts,
    retryStrategy: new BoundedRetryStrategy(BACKGROUND_RETRIES),
    requestHandler: createRequestHandler(BACKGROUND_TIMEOUTS),
  });
}

function toPerson(
  username: string | undefined,
  enabled: boolean | undefined,
  attributes: readonly AttributeType[] | undefined,
): CognitoPerson | undefined {
  if (!username) return undefined;
  const attribute = (name: string) => attributes?.find((a) => a.Name === name)?.Value || undefined;
  return {
    username,
    // The API always returns Enabled; if it ever did not, "enabled" is the answer that changes nothing.
    enabled: enabled !== false,
    email: attribute("email")?.toLowerCase(),
    idcUserId: attribute(IDC_USER_ID_ATTRIBUTE),
    lastSignIn: attribute(LAST_SIGN_IN_ATTRIBUTE),
  };
}

/** Read-only calls on the bridge's own user pool. */
export class CognitoDirectory {
  constructor(
    private readonly client: CognitoIdentityProviderClient,
    private readonly userPoolId: string,
    private readonly pacer: Pacer,
  ) {}

  /**
   * Every user of the pool, page by page. No AttributesToGet: with custom attributes in it, ListUsers fails
   * unless every user has them, and most people have no `custom:idc_last_sign_in`.
   */
  async *listUsers(signal: AbortSignal): AsyncGenerator<CognitoPerson> {
    let paginationToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
      await this.pacer.wait("cognito:ListUsers", signal);
      const output = await this.client.send(
        new ListUsersCommand({
          UserPoolId: this.userPoolId,
          Limit: COGNITO_PAGE_SIZE,
          PaginationToken: paginationToken,
        }),
        { abortSignal: signal },
      );
      for (const user of output.Users ?? []) {
        const person = toPerson(user.Username, user.Enabled, user.Attributes);
        if (person !== undefined) yield person;
      }
      if (!output.PaginationToken) return;
      paginationToken = output.PaginationToken;
    }
    throw new Error(`ListUsers returned more than ${MAX_PAGES} pages`);
  }

  /** AdminGetUser by user name or alias (email); undefined when there is no such user. */
  async getUser(username: string, signal: AbortSignal): Promise<CognitoPerson | undefined> {
    await this.pacer.wait("cognito:AdminGetUser", signal);
    try {
      const output = await this.client.send(
        new AdminGetUserCommand({ UserPoolId: this.userPoolId, Username: username }),
        { abortSignal: signal },
      );
      return toPerson(output.Username, output.Enabled, output.UserAttributes);
    } catch (error) {
      if ((error as { name?: unknown })?.name === "UserNotFoundException") return undefined;
      throw error;
    }
  }
}
