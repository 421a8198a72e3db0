import fc from "fast-check";
import { GenerateMacCommand } from "@aws-sdk/client-kms";
import { LINK_SIGNATURE_LENGTH, LinkKey, LinkKeys, LinkKeyUnavailableError, linkKeyMessage } from "./link";
import { mockKms, TEST_LINK_KEY_ARN, testLinkKey, testLinkKeys } from "./test-support/link";

const kms = mockKms();
const POOL = "eu-west-1_AbCdEfGhI";
const SUB = "8f2e7c6a-1b2d-4e5f-9a8b-7c6d5e4f3a2b";
const USER = "9067d8b2-1071-70e3-4e1c-0a8e9e0f1a2b";
const never = (): AbortSignal => new AbortController().signal;

beforeEach(() => kms.resetHistory());

describe("LinkKey", () => {
  const key = testLinkKey(POOL);

  it("verifies its own signature of exactly (pool, sub, IdC user id), of a fixed length", () => {
    const signature = key.sign(SUB, USER);
    expect(signature).toMatch(/^v1\.[A-Za-z0-9_-]{43}$/);
    expect(signature).toHaveLength(LINK_SIGNATURE_LENGTH);
    expect(key.verify(SUB, USER, signature)).toBe(true);
  });

  it("refuses a signature for any other sub, user id or pool, and any altered or missing signature", () => {
    fc.assert(
      fc.property(fc.uuid(), fc.uuid(), fc.uuid(), (sub, user, other) => {
        fc.pre(other !== sub && other !== user);
        const signature = key.sign(sub, user);
        expect(key.verify(sub, user, signature)).toBe(true);
        expect(key.verify(other, user, signature)).toBe(false);
        expect(key.verify(sub, other, signature)).toBe(false);
        expect(testLinkKey("eu-west-1_Other").verify(sub, user, signature)).toBe(false);
      }),
    );
    const signature = key.sign(SUB, USER);
    const flipped = `${signature.slice(0, -1)}${signature.endsWith("A") ? "B" : "A"}`;
    for (const bad of [
      undefined,
      "",
      flipped,
      signature.slice(0, -1),
      `v2.${signature.slice(3)}`,
      `${signature}=`,
    ]) {
      expect(key.verify(SUB, USER, bad)).toBe(false);
    }
  });

  it("keeps fields apart: moving characters between sub and user id changes the signature", () => {
    expect(key.verify("ab", "c", key.sign("a", "bc"))).toBe(false);
  });

  it("never prints its key", () => {
    const secretKey = new LinkKey(POOL, Buffer.alloc(32, 0xab));
    expect(JSON.stringify({ secretKey })).not.toMatch(/ab{4}|q6ur/i);
    expect(JSON.stringify({ secretKey })).toContain(POOL);
  });
});

describe("LinkKeys", () => {
  it("derives each pool's key with one GenerateMac over a message naming the pool, shared by concurrent first uses", async () => {
    const keys = testLinkKeys();
    const derived = await Promise.all(Array.from({ length: 20 }, () => keys.keyFor(POOL, never())));
    await keys.keyFor(POOL, never());

    expect(kms.commandCalls(GenerateMacCommand).map((call) => call.args[0].input)).toEqual([
      { KeyId: TEST_LINK_KEY_ARN, MacAlgorithm: "HMAC_SHA_256", Message: linkKeyMessage(POOL) },
    ]);
    expect(linkKeyMessage(POOL).toString("utf8")).toContain(POOL);
    const signature = derived[0].sign(SUB, USER);
    expect(derived.every((key) => key.verify(SUB, USER, signature))).toBe(true);
    // The same key the test KMS key yields for this pool, so any Lambda with GenerateMac derives the same.
    expect(testLinkKey(POOL).verify(SUB, USER, signature)).toBe(true);
    await keys.keyFor("us-east-1_Second", never());
    expect(kms.commandCalls(GenerateMacCommand)).toHaveLength(2);
  });

  it("fails with LinkKeyUnavailableError naming the pool, and tries again on the next use", async () => {
    const keys = testLinkKeys("arn:aws:kms:us-east-1:111111111111:key/00000000-0000-4000-8000-000000000000");
    const error = await keys.keyFor(POOL, never()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LinkKeyUnavailableError);
    expect((error as Error).message).toContain(POOL);
    expect((error as Error).cause).toMatchObject({ name: "NotFoundException" });
    await keys.keyFor(POOL, never()).catch(() => undefined);
    expect(kms.commandCalls(GenerateMacCommand)).toHaveLength(2);
  });

  it("gives up when the caller's signal aborts, without an unhandled rejection", async () => {
    const keys = new LinkKeys(() => new Promise(() => undefined));
    const controller = new AbortController();
    const pending = keys.keyFor(POOL, controller.signal);
    controller.abort(new Error("deadline"));
    await expect(pending).rejects.toThrow("deadline");
  });
});
