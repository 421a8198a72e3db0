/**
 * The one place where literal text is made safe for Terraform. Terraform reads every string value (and every
 * key of an object value) as a template: `${` and `%{` start an interpolation or a directive. Text from the
 * config or the code that holds them is no Terraform reference: IAM policy variables (`${aws:username}`,
 * `${aws:PrincipalTag/team}`, `${saml:sub}`), JSONata, a description. cdktf writes such text as it is, so
 * Terraform would refuse it ("Extra characters after interpolation expression") or read something else.
 *
 * `escapeLiteralStrings` adds an aspect to every stack that rewrites what each Terraform element synthesizes,
 * before cdktf resolves tokens. At that point every reference the code made is still a token marker
 * (`${TfToken[TOKEN.n]}`), so whatever lies outside the markers is literal text and is escaped:
 * - in the JSON output (`cdk.tf.json`): `${` → `$${`, `%{` → `%%{` (Terraform's template escapes);
 * - in the HCL output (`npm run synth:hcl`): a literal run that holds `${`, `%{`, a quote or a backslash
 *   becomes the interpolation of an HCL string literal, `${"…"}`: cdktf's HCL renderer escapes no quote or
 *   backslash in a string that holds `${`, and this form survives it (synth:hcl then writes a string that is
 *   only such a literal as the plain quoted string). A multi-line string, which cdktf writes as a heredoc
 *   (where quotes and backslashes are plain text), has only its runs with `${` or `%{` wrapped.
 * Meta-arguments that are not templates (`depends_on`, `provider`, `ignore_changes`, moved blocks, the
 * backend) and cdktf's remote state reads are left alone. Code that means a Terraform expression writes it with `terraformExpression`.
 */
import { Aspects, Lazy, TerraformElement, TerraformRemoteState, TerraformStack, type IAspect } from "cdktf";
import type { IConstruct } from "constructs";

/** cdktf's string token marker (cdktf/lib/tokens/private/encoding.js: BEGIN_STRING_TOKEN_MARKER, VALID_KEY_CHARS). */
const STRING_TOKEN = /\$\{TfToken\[[a-zA-Z0-9:._-]+\]\}/g;

/** Keys whose values Terraform does not read as templates. */
const NOT_TEMPLATES = new Set([
  "//",
  "depends_on",
  "provider",
  "ignore_changes",
  "replace_triggered_by",
  "moved",
  "import",
  "terraform",
]);

export type Output = "json" | "hcl";

/** Escapes `${` and `%{` as Terraform's templates do (`$${`, `%%{`). */
export function templateEscape(value: string): string {
  // A replacer function, because "$$" in a replacement string means a single "$".
  return value.replace(/\$\{/g, () => "$${").replace(/%\{/g, () => "%%{");
}

/**
 * The content of an HCL quoted string for a literal value: for places where cdktf writes a value into an
 * expression unescaped (such as `Fn.jsonencode` map keys), and for the `${"…"}` form of the HCL output.
 */
export function hclQuotedContent(value: string): string {
  return templateEscape(
    value
      .replace(/\\/g, "\\\\")
      .replace(/"/g, '\\"')
      .replace(/\n/g, "\\n")
      .replace(/\r/g, "\\r")
      .replace(/\t/g, "\\t"),
  );
}

/** One literal run of text, escaped for the output. */
function escapeRun(run: string, output: Output, multiline: boolean): string {
  if (output === "json") return templateEscape(run);
  return (multiline ? /\$\{|%\{/ : /\$\{|%\{|["\\]/).test(run) ? `\${"${hclQuotedContent(run)}"}` : run;
}

/** A string with its literal runs escaped and its token markers kept. */
export function escapeLiteralString(value: string, output: Output): string {
  const multiline = /[\n\r]/.test(value);
  let out = "";
  let last = 0;
  for (const m of value.matchAll(STRING_TOKEN)) {
    out += escapeRun(value.slice(last, m.index), output, multiline) + m[0];
    last = m.index + m[0].length;
  }
  return out + escapeRun(value.slice(last), output, multiline);
}

/** An object key: Terraform reads the keys of an object value as templates too. */
function escapeKey(key: string, output: Output): string {
  if (!/\$\{|%\{/.test(key) && (output === "json" || !/["\\]/.test(key))) return key;
  return output === "json" ? templateEscape(key) : hclQuotedContent(key);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  v !== null &&
  typeof v === "object" &&
  (Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);

/** A copy of an element's synthesized (unresolved) output with every literal string escaped. */
export function escapeLiterals<T>(value: T, output: Output): T {
  if (typeof value === "string") return escapeLiteralString(value, output) as T;
  if (Array.isArray(value)) return value.map((v) => escapeLiterals(v, output)) as T;
  // Tokens (IResolvable objects) resolve later into expressions cdktf renders itself.
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) =>
      NOT_TEMPLATES.has(k) ? [k, v] : [escapeKey(k, output), escapeLiterals(v, output)],
    ),
  ) as T;
}

/** A Terraform expression written by hand (`length(self.arns) > 0`): kept as an expression, never escaped. */
export function terraformExpression(expression: string): string {
  return Lazy.stringValue({ produce: () => `\${${expression}}` });
}

const ESCAPED = Symbol("terraform-literal.escaped");

/**
 * cdktf has no hook between an element's output and token resolution: each element's `toTerraform` and
 * `toHclTerraform` are wrapped (once) to escape their output.
 */
function escapeElement(element: TerraformElement): void {
  const marked = element as TerraformElement & { [ESCAPED]?: true };
  if (marked[ESCAPED]) return;
  marked[ESCAPED] = true;
  const toTerraform = element.toTerraform.bind(element);
  const toHclTerraform = element.toHclTerraform.bind(element);
  element.toTerraform = () => escapeLiterals(toTerraform(), "json");
  element.toHclTerraform = () => escapeLiterals(toHclTerraform(), "hcl");
}

/** Escapes the literal strings of every element of the stack it visits. */
export class LiteralStrings implements IAspect {
  public visit(node: IConstruct): void {
    // All at once on the stack: aspects visit the stack before its children, and other aspects (the policy
    // checks) read the stack's output there.
    if (!TerraformStack.isStack(node)) return;
    for (const c of node.node.findAll()) {
      // cdktf writes a remote state read itself, with an expression of its own (`${terraform.workspace}`),
      // from the backend settings: no literal of ours is in it.
      if (c instanceof TerraformElement && !(c instanceof TerraformRemoteState)) escapeElement(c);
    }
  }
}

/**
 * Adds the escaping to every stack in `scope` (cdktf runs a stack's own aspects only, not its App's). Call it
 * before adding aspects that read a stack's output (aspects run in the order they were added).
 */
export function escapeLiteralStrings(scope: IConstruct): void {
  const aspect = new LiteralStrings();
  for (const stack of scope.node.findAll().filter((c) => TerraformStack.isStack(c)))
    Aspects.of(stack).add(aspect);
}
