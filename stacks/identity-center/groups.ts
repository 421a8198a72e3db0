import { IdentitystoreGroup } from "@cdktf/provider-aws/lib/identitystore-group";
import { Construct } from "constructs";
import type { IdentityCenterConfig } from "../../config";
import { idFromName } from "../naming";

export interface IdentityStoreGroupsProps {
  readonly identityStoreId: string;
  readonly groups: IdentityCenterConfig["groups"];
}

/** The Identity Store groups that permission sets are assigned to and the JIT Lambda syncs. */
export class IdentityStoreGroups extends Construct {
  /** Group name → Identity Store group id. */
  public readonly groupIds: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: IdentityStoreGroupsProps) {
    super(scope, id);
    const ids: Record<string, string> = {};
    for (const group of props.groups) {
      ids[group.name] = new IdentitystoreGroup(this, idFromName(group.name), {
        identityStoreId: props.identityStoreId,
        displayName: group.name,
        description: group.description,
      }).groupId;
    }
    this.groupIds = ids;
  }
}
