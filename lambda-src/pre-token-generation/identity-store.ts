import {
  CreateGroupMembershipCommand,
  CreateUserCommand,
  DeleteGroupMembershipCommand,
  GetUserIdCommand,
  type IdentitystoreClient,
  ListGroupMembershipsForMemberCommand,
} from "@aws-sdk/client-identitystore";
import type { Person } from "./person";

/** Safety bound on ListGroupMembershipsForMember pages (100 memberships each). */
export const MAX_MEMBERSHIP_PAGES = 50;

export interface GroupMembership {
  readonly membershipId: string;
  readonly groupId: string;
}

export type CreateUserOutcome =
  { readonly kind: "created"; readonly userId: string } | { readonly kind: "conflict" };

/** Called after every API call (retries included) with its duration. */
export type LatencyObserver = (operation: string, milliseconds: number) => void;

function errorName(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "name" in error ? String(error.name) : undefined;
}

/** ResourceNotFoundException about the given resource type (or without one). */
function isNotFound(error: unknown, resourceType: string): boolean {
  if (errorName(error) !== "ResourceNotFoundException") return false;
  const type = (error as { ResourceType?: unknown }).ResourceType;
  return type === undefined || type === resourceType;
}

/** A response that lacks a field the API always returns. */
export class UnexpectedResponseError extends Error {
  override readonly name = "UnexpectedResponseError";
}

/** Identity Store operations of one identity store, each bounded by the caller's abort signal. */
export class IdentityStore {
  constructor(
    private readonly client: IdentitystoreClient,
    private readonly identityStoreId: string,
    private readonly observeLatency: LatencyObserver = () => undefined,
  ) {}

  private async timed<T>(operation: string, call: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      return await call();
    } finally {
      this.observeLatency(operation, Math.round(performance.now() - started));
    }
  }

  /** GetUserId by the unique `userName` attribute; undefined when there is no such user. */
  async findUserId(userName: string, abortSignal: AbortSignal): Promise<string | undefined> {
    try {
      const output = await this.timed("GetUserId", () =>
        this.client.send(
          new GetUserIdCommand({
            IdentityStoreId: this.identityStoreId,
            AlternateIdentifier: { UniqueAttribute: { AttributePath: "userName", AttributeValue: userName } },
          }),
          { abortSignal },
        ),
      );
      if (!output.UserId) throw new UnexpectedResponseError("GetUserId returned no UserId");
      return output.UserId;
    } catch (error) {
      // Only a missing USER; a missing identity store must fail loudly, not look like a new person.
      if (isNotFound(error, "USER")) return undefined;
      throw error;
    }
  }

  /** CreateUser; `conflict` when a user with this UserName already exists (e.g. a concurrent sign-in). */
  async createUser(person: Person, abortSignal: AbortSignal): Promise<CreateUserOutcome> {
    try {
      const output = await this.timed("CreateUser", () =>
        this.client.send(
          new CreateUserCommand({
            IdentityStoreId: this.identityStoreId,
            UserName: person.userName,
            DisplayName: person.names.displayName,
            Name: { GivenName: person.names.givenName, FamilyName: person.names.familyName },
            Emails: [{ Value: person.userName, Type: "work", Primary: true }],
          }),
          { abortSignal },
        ),
      );
      if (!output.UserId) throw new UnexpectedResponseError("CreateUser returned no UserId");
      return { kind: "created", userId: output.UserId };
    } catch (error) {
      if (errorName(error) === "ConflictException") return { kind: "conflict" };
      throw error;
    }
  }

  /** All group memberships of the user (every page of ListGroupMembershipsForMember). */
  async listGroupMemberships(userId: string, abortSignal: AbortSignal): Promise<GroupMembership[]> {
    const memberships: GroupMembership[] = [];
    let nextToken: string | undefined;
    for (let page = 0; page < MAX_MEMBERSHIP_PAGES; page += 1) {
      const output = await this.timed("ListGroupMembershipsForMember", () =>
        this.client.send(
          new ListGroupMembershipsForMemberCommand({
            IdentityStoreId: this.identityStoreId,
            MemberId: { UserId: userId },
            MaxResults: 100,
            NextToken: nextToken,
          }),
          { abortSignal },
        ),
      );
      for (const membership of output.GroupMemberships ?? []) {
        if (membership.MembershipId && membership.GroupId) {
          memberships.push({ membershipId: membership.MembershipId, groupId: membership.GroupId });
        }
      }
      if (!output.NextToken) return memberships;
      nextToken = output.NextToken;
    }
    throw new UnexpectedResponseError(
      `ListGroupMembershipsForMember returned more than ${MAX_MEMBERSHIP_PAGES} pages`,
    );
  }

  /** CreateGroupMembership; `already-member` on ConflictException (another sign-in raced us). */
  async addGroupMembership(
    groupId: string,
    userId: string,
    abortSignal: AbortSignal,
  ): Promise<"added" | "already-member"> {
    try {
      await this.timed("CreateGroupMembership", () =>
        this.client.send(
          new CreateGroupMembershipCommand({
            IdentityStoreId: this.identityStoreId,
            GroupId: groupId,
            MemberId: { UserId: userId },
          }),
          { abortSignal },
        ),
      );
      return "added";
    } catch (error) {
      if (errorName(error) === "ConflictException") return "already-member";
      throw error;
    }
  }

  /** DeleteGroupMembership; `already-removed` on ResourceNotFoundException. */
  async removeGroupMembership(
    membershipId: string,
    abortSignal: AbortSignal,
  ): Promise<"removed" | "already-removed"> {
    try {
      await this.timed("DeleteGroupMembership", () =>
        this.client.send(
          new DeleteGroupMembershipCommand({
            IdentityStoreId: this.identityStoreId,
            MembershipId: membershipId,
          }),
          { abortSignal },
        ),
      );
      return "removed";
    } catch (error) {
      if (isNotFound(error, "GROUP_MEMBERSHIP")) return "already-removed";
      throw error;
    }
  }
}

export type ResolveOutcome = "found" | "created" | "conflict-resolved";

/**
 * Finds the person's user or creates it: GetUserId first (one call for a known user), CreateUser
 * when missing, and on ConflictException (a concurrent first sign-in won) GetUserId again.
 */
export async function resolveUser(
  store: IdentityStore,
  person: Person,
  abortSignal: AbortSignal,
): Promise<{ readonly userId: string; readonly outcome: ResolveOutcome }> {
  const existing = await store.findUserId(person.userName, abortSignal);
  if (existing !== undefined) return { userId: existing, outcome: "found" };
  const created = await store.createUser(person, abortSignal);
  if (created.kind === "created") return { userId: created.userId, outcome: "created" };
  const winner = await store.findUserId(person.userName, abortSignal);
  if (winner === undefined) {
    throw new UnexpectedResponseError("CreateUser reported a conflict but GetUserId found no such user");
  }
  return { userId: winner, outcome: "conflict-resolved" };
}
