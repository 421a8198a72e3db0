import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  ListUsersCommand,
  type AttributeType,
} from "@aws-sdk/client-cognito-identity-provider";
import { identityKeyOf } from "../shared/identity-rule";
import { clientSettings } from "../shared/identity-store-client";
import { Pacer, pacingPlugin, type PacingOptions } from "../shared/pacing";
import { IDC_USER_ID_ATTRIBUTE, LAST_SIGN_IN_ATTRIBUTE } from "../pre-token-generation/contract";
import { BACKGROUND_PACING, BACKGROUND_RETRIES, BACKGROUND_TIMEOUTS, MAX_PAGES } from "./identity-store";

/** What the deprovisioner needs to know about a Cognito user. */
export interface CognitoPerson {
  /** Cognito's user name (a sub, or `<provider>_<id>` for federated users). */
  readonly username: string;
  readonly enabled: boolean;
  /**
   * The identity key of `email` (shared identity rule: trimmed, NFC, lowercased), as the JIT Lambda turns it
   * into the IdC UserName; undefined when the email names nobody.
   */
  readonly email: string | undefined;
  /** The linked IdC user id (`custom:idc_user_id`). */
  readonly idcUserId: string | undefined;
  /** `custom:idc_last_sign_in` (YYYY-MM-DD, UTC) when recorded. */
  readonly lastSignIn: string | undefined;
}

/** ListUsers returns at most 60 users a page (API reference: Limit, 0-60). */
export const COGNITO_PAGE_SIZE = 60;
/** Pages of one filtered ListUsers at most: a filter that matches more than this is not about one person. */
export const MAX_FILTERED_PAGES = 5;

/** A ListUsers filter value: quotes and backslashes escaped with a backslash (API reference, Filter). */
function filterValue(value: string): string {
  return `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** The background timeouts and retries; paced per operation like the Identity Store client (`false`: not). */
export function createCognitoClient(
  region: string,
  pacing: PacingOptions | false = BACKGROUND_PACING,
): CognitoIdentityProviderClient {
  const client = new CognitoIdentityProviderClient({
    region,
    ...clientSettings({ timeouts: BACKGROUND_TIMEOUTS, retry: BACKGROUND_RETRIES }),
  });
  if (pacing !== false) client.middlewareStack.use(pacingPlugin(new Pacer(pacing)));
  return client;
}

/** The deprovisioner's view of a Cognito user (exported for the identity-rule property test). */
export function toPerson(
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
    email: identityKeyOf(attributes?.find((a) => a.Name === "email")?.Value),
    idcUserId: attribute(IDC_USER_ID_ATTRIBUTE),
    lastSignIn: attribute(LAST_SIGN_IN_ATTRIBUTE),
  };
}

/** Read-only calls on the bridge's own user pool. */
export class CognitoDirectory {
  constructor(
    private readonly client: CognitoIdentityProviderClient,
    private readonly userPoolId: string,
  ) {}

  /**
   * Every user of the pool, page by page. No AttributesToGet: with custom attributes in it, ListUsers fails
   * unless every user has them, and most people have no `custom:idc_last_sign_in`.
   */
  async *listUsers(signal: AbortSignal): AsyncGenerator<CognitoPerson> {
    let paginationToken: string | undefined;
    for (let page = 0; page < MAX_PAGES; page += 1) {
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

  /**
   * The users whose email has this identity key: ListUsers filtered on `email ^= "<key>"` (matching in any
   * case, and also the key followed by stray spaces), keeping those whose email's key is exactly `key`.
   * One call for one person; never a scan of the pool.
   */
  async peopleWithEmail(key: string, signal: AbortSignal): Promise<CognitoPerson[]> {
    const people: CognitoPerson[] = [];
    let paginationToken: string | undefined;
    for (let page = 0; page < MAX_FILTERED_PAGES; page += 1) {
      const output = await this.client.send(
        new ListUsersCommand({
          UserPoolId: this.userPoolId,
          Filter: `email ^= ${filterValue(key)}`,
          Limit: COGNITO_PAGE_SIZE,
          PaginationToken: paginationToken,
        }),
        { abortSignal: signal },
      );
      for (const user of output.Users ?? []) {
        const person = toPerson(user.Username, user.Enabled, user.Attributes);
        if (person !== undefined && person.email === key) people.push(person);
      }
      if (!output.PaginationToken) return people;
      paginationToken = output.PaginationToken;
    }
    throw new Error(`ListUsers for one email returned more than ${MAX_FILTERED_PAGES} pages`);
  }

  /** AdminGetUser by user name or alias (email); undefined when there is no such user. */
  async getUser(username: string, signal: AbortSignal): Promise<CognitoPerson | undefined> {
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
