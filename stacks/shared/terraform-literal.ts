/**
 * Makes a literal string safe inside Terraform: `${` and `%{` would otherwise start template interpolation
 * or directives (JSONata expressions, for one, can contain them).
 */
export function terraformLiteral(value: string): string {
  return value.replace(/\$\{/g, "$${").replace(/%\{/g, "%%{");
}
