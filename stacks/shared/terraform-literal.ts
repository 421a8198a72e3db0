/**
 * Makes a literal string safe inside Terraform: `${` and `%{` would otherwise start template interpolation
 * or directives (JSONata expressions, for one, can contain them).
 */
export function terraformLiteral(value: string): string {
  // A replacer function, because "$$" in a replacement string means a single "$".
  return value.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}

/**
 * The content of an HCL quoted string for a literal value: for places where cdktf writes a value into an
 * expression unquoted-escaped (such as `Fn.jsonencode` map keys).
 */
export function hclQuotedContent(value: string): string {
  return terraformLiteral(
    value
      .replace(/\\/g, "\\\\")
      .replace(/"/g, '\\"')
      .replace(/\n/g, "\\n")
      .replace(/\r/g, "\\r")
      .replace(/\t/g, "\\t"),
  );
}
