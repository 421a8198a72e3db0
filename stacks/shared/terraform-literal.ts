/**
 * Makes a literal string safe inside Terraform: `${` and `%{` would otherwise start template interpolation
 * or directives (JSONata expressions, for one, can contain them).
 */
export function terraformLiteral(value: string): string {
  // A replacer function, because "$$" in a replacement string means a single "$".
  return value.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}
