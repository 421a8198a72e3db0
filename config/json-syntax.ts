import { printParseErrorCode, visit, type ParseError } from "jsonc-parser";

/** One problem in a config: where, what was there, what was expected. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
  readonly value: string;
}

/** JSON syntax errors and duplicate keys (which JSON.parse would silently resolve), each at line:column. */
export function jsonProblems(text: string, source: string): ConfigProblem[] {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === "\n") lineStarts.push(i + 1);
  const at = (offset: number) => {
    let line = lineStarts.length - 1;
    while (lineStarts[line] > offset) line--;
    return `${source}:${line + 1}:${offset - lineStarts[line] + 1}`;
  };
  const problems: ConfigProblem[] = [];
  const keysOfOpenObjects: Set<string>[] = [];
  visit(
    text,
    {
      onObjectBegin: () => void keysOfOpenObjects.push(new Set()),
      onObjectEnd: () => void keysOfOpenObjects.pop(),
      onObjectProperty: (property, offset) => {
        const keys = keysOfOpenObjects.at(-1);
        if (keys?.has(property)) {
          problems.push({
            path: at(offset),
            message: "expected each key once per object (JSON.parse would silently keep the last one)",
            value: JSON.stringify(property),
          });
        }
        keys?.add(property);
      },
      onError: (error: ParseError["error"], offset, length) => {
        // Only the first syntax error: the ones after it follow from it.
        if (problems.some((p) => p.message.endsWith("(JSON syntax)"))) return;
        problems.push({
          path: at(offset),
          message: `${JSON_SYNTAX_MESSAGES[printParseErrorCode(error)] ?? "expected valid JSON"} (JSON syntax)`,
          value:
            length > 0
              ? JSON.stringify(text.slice(offset, offset + Math.min(length, 40)))
              : "the end of the file",
        });
      },
    },
    { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false },
  );
  return problems;
}

const JSON_SYNTAX_MESSAGES: Record<string, string> = {
  InvalidSymbol:
    "expected JSON here: property names and strings in double quotes, numbers, true, false, null, {…} or […]",
  InvalidNumberFormat: "expected a JSON number such as 12 or 1.5",
  PropertyNameExpected: 'expected a property name in double quotes (or "}" with no comma before it)',
  ValueExpected: 'expected a value (or "]" with no comma before it)',
  ColonExpected: 'expected ":" after the property name',
  CommaExpected: 'expected "," between items',
  CloseBraceExpected: 'expected "}" to close the object',
  CloseBracketExpected: 'expected "]" to close the array',
  EndOfFileExpected: "expected the end of the file after the top-level value",
  InvalidCommentToken: "expected no comments (JSON has none)",
  UnexpectedEndOfComment: "expected no comments (JSON has none)",
  UnexpectedEndOfString: 'expected the string to end with " on the same line',
  UnexpectedEndOfNumber: "expected digits after the sign, decimal point or exponent",
  InvalidUnicode: "expected four hex digits after \\u",
  InvalidEscapeCharacter: 'expected an escape such as \\n, \\" or \\\\',
  InvalidCharacter:
    "expected no control characters (such as a tab or line break) inside a string: escape them",
};
