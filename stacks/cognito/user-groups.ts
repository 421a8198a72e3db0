import { CognitoUserGroup } from "@cdktf/provider-aws/lib/cognito-user-group";
import { Construct } from "constructs";
import type { CognitoConfig } from "../../config";
import { idFromName } from "../naming";

export interface CognitoUserGroupsProps {
  readonly userPoolId: string;
  readonly groups: CognitoConfig["groups"];
}

/**
 * The declared Cognito groups. A person is in one when an administrator adds them (console, CLI,
 * AdminAddUserToGroup); the ID token lists them in `cognito:groups`, which the JIT Lambda maps to IdC groups.
 */
export class CognitoUserGroups extends Construct {
  /** Group name → the group's name attribute (a reference, so dependants wait for the group). */
  public readonly groupNames: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: CognitoUserGroupsProps) {
    super(scope, id);
    const names: Record<string, string> = {};
    for (const group of props.groups) {
      names[group.name] = new CognitoUserGroup(this, idFromName(group.name), {
        userPoolId: props.userPoolId,
        name: group.name,
        description: group.description,
        precedence: group.precedence,
      }).name;
    }
    this.groupNames = names;
  }
}
