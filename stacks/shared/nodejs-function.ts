import { DataArchiveFile } from "@cdktf/provider-archive/lib/data-archive-file";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { DataAwsIamPolicyDocument } from "@cdktf/provider-aws/lib/data-aws-iam-policy-document";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { AssetType, TerraformAsset } from "cdktf";
import { Construct } from "constructs";

/** One IAM policy statement (the subset this project writes). */
export interface PolicyStatement {
  readonly sid: string;
  readonly actions: string[];
  readonly resources: string[];
  /** All must hold (IAM ANDs them). */
  readonly conditions?: readonly PolicyCondition[];
}

/** One condition: `test` is the operator (e.g. StringEquals), `variable` the context key. */
export interface PolicyCondition {
  readonly test: string;
  readonly variable: string;
  readonly values: string[];
}

/** The statements as an `aws_iam_policy_document` takes them. */
export function policyDocumentStatements(statements: readonly PolicyStatement[]) {
  return statements.map((s) => ({
    sid: s.sid,
    actions: s.actions,
    resources: s.resources,
    ...(s.conditions === undefined ? {} : { condition: s.conditions.map((c) => ({ ...c })) }),
  }));
}

export interface NodejsFunctionProps {
  readonly functionName: string;
  readonly description: string;
  /** Directory holding the esbuild bundle (`index.js` exporting `handler`); it becomes the package as-is. */
  readonly bundleDir: string;
  readonly environment: Readonly<Record<string, string>>;
  /** What the function may do besides writing its own logs and traces. */
  readonly statements: readonly PolicyStatement[];
  readonly memorySizeMb: number;
  readonly timeoutSeconds: number;
  readonly logRetentionDays: number;
  /** Concurrent executions reserved for (and at most allowed to) the function [none: the account's pool]. */
  readonly reservedConcurrentExecutions?: number;
}

/**
 * A Node.js Lambda from a prebuilt esbuild bundle: the bundle is copied into the stack as a content-hashed
 * asset (a relative path, so the synthesized JSON is the same on every machine), zipped by the archive
 * provider at plan time, and deployed on arm64 with X-Ray tracing, its own log group and a role that may
 * write only to that log group.
 */
export class NodejsFunction extends Construct {
  public readonly function: LambdaFunction;
  public readonly role: IamRole;
  /** The execution role's name: the function name, so other stacks can name the role before it exists. */
  public readonly roleName: string;
  public readonly logGroup: CloudwatchLogGroup;
  public readonly functionName: string;
  public readonly arn: string;

  constructor(scope: Construct, id: string, props: NodejsFunctionProps) {
    super(scope, id);
    const asset = new TerraformAsset(this, "bundle", { path: props.bundleDir, type: AssetType.DIRECTORY });
    const archive = new DataArchiveFile(this, "package", {
      type: "zip",
      sourceDir: asset.path,
      outputPath: `${asset.path}.zip`,
      // Fixed file mode: otherwise the zip, and so source_code_hash, follows the checkout's permissions.
      outputFileMode: "0644",
    });

    this.logGroup = new CloudwatchLogGroup(this, "log-group", {
      name: `/aws/lambda/${props.functionName}`,
      retentionInDays: props.logRetentionDays,
    });

    const assumeRole = new DataAwsIamPolicyDocument(this, "assume-role", {
      statement: [
        {
          actions: ["sts:AssumeRole"],
          principals: [{ type: "Service", identifiers: ["lambda.amazonaws.com"] }],
        },
      ],
    });
    this.role = new IamRole(this, "role", {
      name: props.functionName,
      description: `Execution role of ${props.functionName}`,
      assumeRolePolicy: assumeRole.json,
    });
    const policy = new DataAwsIamPolicyDocument(this, "policy", {
      statement: [
        {
          sid: "OwnLogGroup",
          actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
          resources: [`${this.logGroup.arn}:*`],
        },
        {
          // X-Ray accepts no resource-level permissions.
          sid: "Tracing",
          actions: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
          resources: ["*"],
        },
        ...policyDocumentStatements(props.statements),
      ],
    });
    new IamRolePolicy(this, "role-policy", {
      name: "least-privilege",
      role: this.role.id,
      policy: policy.json,
    });

    this.function = new LambdaFunction(this, "function", {
      functionName: props.functionName,
      description: props.description,
      role: this.role.arn,
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: "index.handler",
      filename: archive.outputPath,
      sourceCodeHash: archive.outputBase64Sha256,
      memorySize: props.memorySizeMb,
      timeout: props.timeoutSeconds,
      tracingConfig: { mode: "Active" },
      loggingConfig: { logFormat: "JSON", logGroup: this.logGroup.name },
      environment: { variables: { ...props.environment } },
      ...(props.reservedConcurrentExecutions === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
    });
    this.roleName = props.functionName;
    this.functionName = this.function.functionName;
    this.arn = this.function.arn;
  }

  /**
   * Another inline policy on the role, for permissions on resources that themselves reference the function
   * (such as the user pool that triggers it): the function does not wait for this policy, so no cycle. What
   * needs the permissions in place (an event source mapping) depends on the returned policy.
   */
  public addPolicy(name: string, statements: readonly PolicyStatement[]): IamRolePolicy {
    const doc = new DataAwsIamPolicyDocument(this, `${name}-policy`, {
      statement: policyDocumentStatements(statements),
    });
    return new IamRolePolicy(this, `${name}-role-policy`, { name, role: this.role.id, policy: doc.json });
  }
}
