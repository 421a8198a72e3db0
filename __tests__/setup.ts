// cdktf's Testing matchers (toHaveResource, toHaveResourceWithProperties, ...) and aws-sdk-client-mock's.
// Every test file runs this, most need neither: cdktf's root (~0.5 s of CPU per file) and the mock matchers
// (~0.3 s) are loaded only by a file that uses them.
import type {} from "aws-sdk-client-mock-jest";
import { removeTempDirs } from "./helpers/temp-dirs";

// cdktf's own Jest adapter (what Testing.setupJest() calls), without loading the rest of cdktf.
// eslint-disable-next-line @typescript-eslint/no-require-imports
(require("cdktf/lib/testing/adapters/jest") as { setupJest(): void }).setupJest();

/** aws-sdk-client-mock-jest's matchers (its aliases included), registered when one is first used. */
const MOCK_MATCHERS = [
  "toHaveReceivedCommand",
  "toHaveReceivedCommandTimes",
  "toHaveReceivedCommandWith",
  "toHaveReceivedNthCommandWith",
  "toHaveReceivedNthSpecificCommandWith",
  "toHaveReceivedAnyCommand",
  "toReceiveCommand",
  "toReceiveCommandTimes",
  "toReceiveCommandWith",
  "toReceiveNthCommandWith",
  "toReceiveNthSpecificCommandWith",
  "toReceiveAnyCommand",
] as const;

/** Where `expect.extend` keeps the matchers (expect's JEST_MATCHERS_OBJECT). */
const MATCHERS_OBJECT = Symbol.for("$$jest-matchers-object");
type Matcher = (this: jest.MatcherContext, ...args: unknown[]) => jest.CustomMatcherResult;

function realMockMatcher(name: string): Matcher {
  // Requiring it registers its matchers with expect.extend, in place of the stand-ins below.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require("aws-sdk-client-mock-jest");
  const registry = (globalThis as unknown as Record<symbol, { matchers: Record<string, Matcher> }>)[
    MATCHERS_OBJECT
  ];
  const matcher = registry?.matchers[name];
  if (matcher === undefined || (matcher as { lazyStandIn?: boolean }).lazyStandIn)
    throw new Error(`aws-sdk-client-mock-jest did not register ${name}`);
  return matcher;
}

expect.extend(
  Object.fromEntries(
    MOCK_MATCHERS.map((name) => {
      const standIn: Matcher & { lazyStandIn?: boolean } = function (this, ...args) {
        return realMockMatcher(name).apply(this, args);
      };
      standIn.lazyStandIn = true;
      return [name, standIn];
    }),
  ),
);

afterAll(removeTempDirs);
