import { z } from "zod";

/**
 * `backend.kmsKeyId` in the forms Terraform's S3 backend accepts (internal/backend/remote-state/s3/validate.go:
 * a key id is a UUID of version 1-5 with an RFC 4122 variant, a multi-Region key is `mrk-` and 32 hex digits,
 * an alias is `alias/` and `[a-zA-Z0-9/_-]`; an ARN's resource is `key/<one of the ids>` or the alias). The
 * backend's own pattern is only partly anchored; this one is fully anchored, so every value passes it.
 * __tests__/backend-kms.test.ts checks each form against the Terraform CLI.
 */
const KEY_ID = "[a-f0-9]{8}-[a-f0-9]{4}-[1-5][a-f0-9]{3}-[ab89][a-f0-9]{3}-[a-f0-9]{12}";
const MULTI_REGION_KEY_ID = "mrk-[a-f0-9]{32}";
const ALIAS = "alias/[a-zA-Z0-9/_-]+";
const ARN_PREFIX = "arn:aws(?:-cn|-us-gov|-iso|-iso-b|-iso-e|-iso-f|-eusc)?:kms:[a-z0-9-]+:\\d{12}:";

export const KMS_KEY_ID = new RegExp(
  `^(?:${KEY_ID}|${MULTI_REGION_KEY_ID}|${ALIAS}|${ARN_PREFIX}(?:key/(?:${KEY_ID}|${MULTI_REGION_KEY_ID})|${ALIAS}))$`,
);

export const kmsKeyId = z.string().regex(KMS_KEY_ID, {
  error:
    "expected a KMS key as Terraform's S3 backend accepts it: a key id (lowercase UUID), a multi-Region key id " +
    "(mrk- and 32 hex digits), alias/<name>, or the ARN of a key or alias " +
    "(arn:aws:kms:<region>:<account>:key/<id> or …:alias/<name>)",
});
