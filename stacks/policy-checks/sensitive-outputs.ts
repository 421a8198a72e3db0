import type { PolicyRule, Violation } from "./rule";

const SECRET_WORDS = new Set([
  "secret",
  "secrets",
  "password",
  "passwords",
  "passwd",
  "passphrase",
  "token",
  "tokens",
  "credential",
  "credentials",
  "apikey",
  "privatekey",
]);
const SECRET_PAIRS = new Set(["private key", "api key", "access key", "secret key", "signing key"]);
/** Words that may follow the secret's name and still name its value (`private_key_pem`, `secret_string`). */
const VALUE_WORDS = new Set([
  "value",
  "values",
  "string",
  "pem",
  "der",
  "json",
  "b64",
  "base64",
  "hex",
  "raw",
  "plain",
  "plaintext",
  "text",
  "data",
  "openssh",
]);

/**
 * True when an output's name names a secret: it ends with a secret word (secret, password, token,
 * credentials, private key, API key…), optionally followed by words for its value (`_pem`, `_string`…).
 * `client_secret` and `private_key_pem` do; `client_secret_arn`, `token_url` and `pre_token_generation_function`
 * name something else.
 */
export function looksSensitive(name: string): boolean {
  const words = name
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  let end = words.length;
  while (end > 0 && VALUE_WORDS.has(words[end - 1])) end--;
  if (end === 0) return false;
  return (
    SECRET_WORDS.has(words[end - 1]) || (end > 1 && SECRET_PAIRS.has(`${words[end - 2]} ${words[end - 1]}`))
  );
}

/** An output whose name names a secret is marked sensitive, so `terraform output` and plans hide it. */
export const sensitiveOutputs: PolicyRule = {
  id: "sensitive-output",
  check(stack) {
    const violations: Violation[] = [];
    for (const [name, output] of Object.entries(
      (stack.output ?? {}) as Record<string, { sensitive?: boolean }>,
    )) {
      if (looksSensitive(name) && output.sensitive !== true) {
        violations.push({
          address: `output.${name}`,
          message: "names a secret but would be shown in plain text: expected sensitive = true",
        });
      }
    }
    return violations;
  },
};
