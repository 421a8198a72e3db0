import { ListUsersCommand as ListCognitoUsersCommand } from "@aws-sdk/client-cognito-identity-provider";
import { ListUsersCommand, type IdentitystoreClient, type User } from "@aws-sdk/client-identitystore";
import { CognitoIndex, isBridgeOwned } from "../../lambda-src/deprovisioning/leavers";
import {
  IDC_USER_ID_ATTRIBUTE,
  LAST_SIGN_IN_ATTRIBUTE,
} from "../../lambda-src/pre-token-generation/contract";
import { identityKeyOf } from "../../lambda-src/shared/identity-rule";
import { fail, listed, message, pass, type Check, type CheckResult, type DoctorDependencies } from "./check";

async function listIdentityStoreUsers(client: IdentitystoreClient, identityStoreId: string): Promise<User[]> {
  const users: User[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(
      new ListUsersCommand({ IdentityStoreId: identityStoreId, MaxResults: 100, NextToken: token }),
    );
    users.push(...(page.Users ?? []));
    token = page.NextToken;
  } while (token);
  return users;
}

/**
 * Identity Store users as the bridge expects them: UserName is the primary email's identity key, no email
 * under two UserNames, and every bridge-owned user has a Cognito user. Emails and UserNames are compared by
 * the one identity rule (lambda-src/shared/identity-rule.ts), as the Lambdas compare them.
 */
export const identityStoreUsersCheck: Check = (deps, outputs) =>
  checkUsers(
    deps,
    outputs.needs("Identity Store users", "identity-center", ["identity_store_id"]),
    outputs.needs("Identity Store users", "cognito", ["user_pool_id"]),
  );

async function checkUsers(
  deps: DoctorDependencies,
  storeValues: string[] | CheckResult,
  poolValues: string[] | CheckResult,
): Promise<CheckResult[]> {
  const names = "Identity Store: every UserName is the lowercased primary email";
  const duplicates = "Identity Store: no email under two UserNames";
  const orphans = "Identity Store: every bridge-owned user has a Cognito user";
  if (!Array.isArray(storeValues)) return [{ ...storeValues, title: names }];
  const [identityStoreId] = storeValues as [string];
  let users: User[];
  try {
    users = await listIdentityStoreUsers(deps.identityStore, identityStoreId);
  } catch (error) {
    return [
      fail(
        "Identity Store: users readable",
        message(error),
        "needs identitystore:ListUsers on the store, in identityCenter.region",
      ),
    ];
  }
  const results: CheckResult[] = [];
  const primaryEmail = (u: User) => (u.Emails?.find((e) => e.Primary) ?? u.Emails?.[0])?.Value;
  const mismatched = users.filter((u) => {
    const email = primaryEmail(u);
    const key = identityKeyOf(email);
    // The JIT Lambda names a person by their email's identity key: UserName must be exactly that.
    return key === undefined || u.UserName !== key;
  });
  results.push(
    mismatched.length === 0
      ? pass(names, `${users.length} users`)
      : fail(
          names,
          `${mismatched.length} differ: ${listed(mismatched.map((u) => `${u.UserName} (email ${primaryEmail(u) ?? "none"})`))}`,
          'IdC matches the SAML NameID (the lowercased email) to UserName: these people see "Looks like this code isn\'t right". Make UserName the lowercased email (IdC console or UpdateUser)',
        ),
  );
  const byEmail = new Map<string, string[]>();
  for (const u of users) {
    for (const e of u.Emails ?? []) {
      if (!e.Value) continue;
      const key = identityKeyOf(e.Value);
      if (key === undefined) continue;
      const list = byEmail.get(key) ?? [];
      if (u.UserName && !list.includes(u.UserName)) list.push(u.UserName);
      byEmail.set(key, list);
    }
  }
  const shared = [...byEmail.entries()].filter(([, userNames]) => userNames.length > 1);
  results.push(
    shared.length === 0
      ? pass(duplicates)
      : fail(
          duplicates,
          listed(shared.map(([email, userNames]) => `${email}: ${userNames.join(" / ")}`)),
          "one person, two IdC users (an email changed before rename support, or a hand-made user): delete or merge the one not named by the lowercased email",
        ),
  );

  if (!Array.isArray(poolValues)) {
    results.push({ ...poolValues, title: orphans });
    return results;
  }
  const [userPoolId] = poolValues as [string];
  try {
    const index = new CognitoIndex();
    let token: string | undefined;
    do {
      const page = await deps.cognito.send(
        new ListCognitoUsersCommand({ UserPoolId: userPoolId, Limit: 60, PaginationToken: token }),
      );
      for (const u of page.Users ?? []) {
        const attribute = (name: string) => u.Attributes?.find((a) => a.Name === name)?.Value || undefined;
        if (!u.Username) continue;
        index.add({
          username: u.Username,
          enabled: u.Enabled !== false,
          email: identityKeyOf(attribute("email")),
          idcUserId: attribute(IDC_USER_ID_ATTRIBUTE),
          lastSignIn: attribute(LAST_SIGN_IN_ATTRIBUTE),
        });
      }
      token = page.PaginationToken;
    } while (token);
    const owned = users
      .filter((u) => u.UserId && u.UserName !== undefined)
      .map((u) => ({
        userId: u.UserId!,
        userName: identityKeyOf(u.UserName) ?? u.UserName!,
        userType: u.UserType,
      }))
      .filter(isBridgeOwned);
    const gone = owned.filter((u) => index.peopleFor(u).length === 0);
    results.push(
      gone.length === 0
        ? pass(orphans, `${owned.length} bridge-owned users`)
        : fail(
            orphans,
            `${gone.length} without one: ${listed(gone.map((u) => u.userName))}`,
            "leavers whose Cognito user was deleted: the deprovisioning Lambda handles them per cognito.provisioning.deprovision (report mode only reports)",
          ),
    );
  } catch (error) {
    results.push(fail(orphans, message(error), "needs cognito-idp:ListUsers on the pool, in cognito.region"));
  }
  return results;
}
