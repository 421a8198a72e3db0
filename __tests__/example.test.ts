import { ArchiveProvider } from "@cdktf/provider-archive/lib/provider";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CloudflareProvider } from "@cdktf/provider-cloudflare/lib/provider";
import { configWith, synthBridge } from "./helpers/stacks";

describe("the example config", () => {
  const bridge = synthBridge(configWith());

  it("synthesizes three stacks named <environment>-<stack>", () => {
    expect(
      [bridge.stacks.identityCenter, bridge.stacks.cognito, bridge.stacks.cloudflareAccess].map(
        (s) => s.node.id,
      ),
    ).toEqual(["prod-identity-center", "prod-cognito", "prod-cloudflare-access"]);
  });

  it("has the providers of each stack", () => {
    expect(bridge.identityCenter).toHaveProvider(AwsProvider);
    expect(bridge.cognito).toHaveProvider(AwsProvider);
    expect(bridge.cognito).toHaveProvider(ArchiveProvider);
    expect(bridge.cloudflareAccess).toHaveProvider(CloudflareProvider);
  });
});
