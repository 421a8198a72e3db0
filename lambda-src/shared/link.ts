/**
 * The link between a Cognito user and their IdC user, in a form nobody but the bridge can forge.
 *
 * The link is two custom attributes of the Cognito user: `custom:idc_user_id` (the IdC user id) and
 * `custom:idc_link_sig`, an HMAC-SHA256 over (user pool id, the Cognito user's `sub`, the IdC user id). The
 * HMAC key is derived once per container and pool with ONE `kms:GenerateMac` call (a KMS HMAC_256 key that
 * only the bridge's Lambdas may use) over a fixed message naming the pool: the key exists only in the
 * Lambda's memory, never in state, config or logs, and every Lambda with GenerateMac on that key derives
 * the same one. Because the HMAC covers `sub`, a link copied from another person's Cognito user does not
 * verify; because it covers the IdC user id, pointing `custom:idc_user_id` elsewhere does not either.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import { untilAborted } from "./deadline";

/** KMS MacAlgorithm of the link key (the key spec is HMAC_256). */
export const LINK_MAC_ALGORITHM = "HMAC_SHA_256";
/** Version prefix of every signature: a later scheme can be told apart (and old links re-signed). */
export const LINK_SIGNATURE_VERSION = "v1";
/** Length of a v1 signature: "v1." and 43 base64url characters (32 bytes). */
export const LINK_SIGNATURE_LENGTH = 46;

/** The fixed message whose MAC is a pool's link key (no secret: the secret is the KMS key). */
export function linkKeyMessage(userPoolId: string): Buffer {
  return Buffer.from(`idc-oidc-bridge link key ${LINK_SIGNATURE_VERSION}\nuser pool ${userPoolId}`, "utf8");
}

/** One KMS GenerateMac call: the MAC of `message` under the link key. */
export type GenerateMac = (message: Buffer, abortSignal: AbortSignal) => Promise<Uint8Array>;

/** What a link binds together. */
export interface LinkSubject {
  readonly userPoolId: string;
  /** The Cognito user's `sub` (never reassigned, unlike the user name or email). */
  readonly sub: string;
  /** The IdC user id in `custom:idc_user_id`. */
  readonly idcUserId: string;
}

/** A pool's link key: signs and verifies links locally (no network call). */
export class LinkKey {
  readonly #key: Buffer;

  constructor(
    readonly userPoolId: string,
    key: Uint8Array,
  ) {
    if (key.length < 32) throw new Error("The link key must be at least 32 bytes (an HMAC_SHA_256 MAC)");
    this.#key = Buffer.from(key);
  }

  /** The signature to store in `custom:idc_link_sig` for `sub` linked to `idcUserId`. */
  sign(sub: string, idcUserId: string): string {
    return `${LINK_SIGNATURE_VERSION}.${this.mac(sub, idcUserId).toString("base64url")}`;
  }

  /** Whether `signature` is this pool's signature of exactly (sub, idcUserId); constant-time. */
  verify(sub: string, idcUserId: string, signature: string | undefined): boolean {
    if (signature === undefined || signature.length !== LINK_SIGNATURE_LENGTH) return false;
    if (!signature.startsWith(`${LINK_SIGNATURE_VERSION}.`)) return false;
    const given = Buffer.from(signature.slice(LINK_SIGNATURE_VERSION.length + 1), "base64url");
    const expected = this.mac(sub, idcUserId);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  private mac(sub: string, idcUserId: string): Buffer {
    // JSON keeps the three fields apart whatever they hold: ("a","bc") never signs like ("ab","c").
    return createHmac("sha256", this.#key)
      .update(JSON.stringify([LINK_SIGNATURE_VERSION, this.userPoolId, sub, idcUserId]))
      .digest();
  }

  /** Never print the key. */
  toJSON(): string {
    return `LinkKey(${this.userPoolId})`;
  }
}

/** The link key could not be derived (KMS refused or did not answer). */
export class LinkKeyUnavailableError extends Error {
  override readonly name = "LinkKeyUnavailableError";
  constructor(
    readonly userPoolId: string,
    options: { cause: unknown },
  ) {
    super(`Could not derive the link key of user pool ${userPoolId} with kms:GenerateMac`, options);
  }
}

/**
 * The link keys of one container: each pool's key is derived with one GenerateMac call, the first time it
 * is needed, and kept for the container's life. Concurrent first uses share the one call; a failed
 * derivation is forgotten, so a later sign-in tries again.
 */
export class LinkKeys {
  private readonly keys = new Map<string, Promise<LinkKey>>();
  /** GenerateMac calls made (for tests and logs: one per pool per container). */
  derivations = 0;

  constructor(private readonly generateMac: GenerateMac) {}

  /** The pool's key, derived if needed within `abortSignal`. */
  async keyFor(userPoolId: string, abortSignal: AbortSignal): Promise<LinkKey> {
    let key = this.keys.get(userPoolId);
    if (key === undefined) {
      this.derivations += 1;
      key = this.generateMac(linkKeyMessage(userPoolId), abortSignal).then(
        (mac) => new LinkKey(userPoolId, mac),
        (error: unknown) => {
          this.keys.delete(userPoolId);
          throw new LinkKeyUnavailableError(userPoolId, {
            cause: abortSignal.aborted && abortSignal.reason !== undefined ? abortSignal.reason : error,
          });
        },
      );
      // A caller that gives up (its own deadline) must not leave an unhandled rejection behind.
      key.catch(() => undefined);
      this.keys.set(userPoolId, key);
    }
    return untilAborted(key, abortSignal);
  }
}
