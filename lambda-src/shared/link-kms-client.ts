/**
 * The KMS client and the one command the link needs, imported by name so that the bundler keeps only them:
 * link-kms.ts loads this module lazily (a dynamic import of the SDK package itself would keep all of KMS's
 * commands, since a module namespace cannot be tree-shaken).
 */
export { GenerateMacCommand, KMSClient } from "@aws-sdk/client-kms";
