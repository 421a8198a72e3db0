import * as path from "node:path";
import {
  CloudBackend,
  LocalBackend,
  NamedCloudWorkspace,
  S3Backend,
  TerraformStack,
  type S3BackendConfig,
  type TerraformRemoteState,
} from "cdktf";
import type { Construct } from "constructs";
import type { BackendConfig } from "../config";

/** Where each stack keeps its state; every stack of an environment shares one. */
export interface StateSettings {
  readonly backend: BackendConfig;
  readonly environment: string;
  /**
   * Local backend only: the project root relative to a stack's working directory
   * (`<outdir>/stacks/<stack>`), so state files live outside the synth output and no absolute
   * path of the build machine lands in the synthesized JSON.
   */
  readonly localRootFromStackDir: string;
}

/** S3 with S3-native locking (Terraform >= 1.10); cdktf 0.21's S3Backend has no `use_lockfile`. */
class LockingS3Backend extends S3Backend {
  constructor(scope: Construct, props: S3BackendConfig) {
    super(scope, props);
    this.addOverride("use_lockfile", true);
  }

  // cdktf builds cross-stack reads from the producer's backend: give them the same settings.
  public getRemoteStateDataSource(scope: Construct, name: string, fromStack: string): TerraformRemoteState {
    const remoteState = super.getRemoteStateDataSource(scope, name, fromStack);
    remoteState.addOverride("config.use_lockfile", true);
    return remoteState;
  }
}

/** Sets the stack's backend; cross-stack reads then inherit it. */
export function configureBackend(stack: TerraformStack, settings: StateSettings): void {
  const stackName = stack.node.id;
  const b = settings.backend;
  switch (b.type) {
    case "s3":
      new LockingS3Backend(stack, {
        bucket: b.bucket,
        region: b.region,
        key: `${b.keyPrefix}/${settings.environment}/${stackName.slice(settings.environment.length + 1)}.tfstate`,
        encrypt: true,
        kmsKeyId: b.kmsKeyId,
        dynamodbTable: b.dynamodbTable,
      });
      return;
    case "local":
      new LocalBackend(stack, {
        path: path.posix.join(settings.localRootFromStackDir, "terraform-state", `${stackName}.tfstate`),
      });
      return;
    case "cloud":
      new CloudBackend(stack, {
        organization: b.organization,
        hostname: b.hostname,
        workspaces: new NamedCloudWorkspace(`${b.workspacePrefix}${stackName}`),
      });
      return;
  }
}
