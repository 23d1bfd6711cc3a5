// JSON with comments and trailing commas, with errors located at file:line:col.
import { parse, parseTree, findNodeAtLocation, printParseErrorCode, type ParseError, type Node } from 'jsonc-parser';
import { ConfigError } from '../errors.js';

export interface JsoncDocument {
  file: string;
  text: string;
  value: unknown;
  tree: Node | undefined;
}

export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

const EXPECTATIONS: Record<string, string> = {
  InvalidSymbol: 'a JSON value (string, number, object, array, true, false or null)',
  InvalidNumberFormat: 'a number like 8888 or 0.5',
  PropertyNameExpected: 'a property name in double quotes',
  ValueExpected: 'a value after the colon',
  ColonExpected: "a ':' after the property name",
  CommaExpected: "a ',' between entries",
  CloseBraceExpected: "a '}' to close the object",
  CloseBracketExpected: "a ']' to close the array",
  EndOfFileExpected: 'the end of the file (only one top-level value is allowed)',
  InvalidCommentToken: 'a comment closed by */',
  UnexpectedEndOfComment: 'a comment closed by */',
  UnexpectedEndOfString: 'a closing double quote',
  UnexpectedEndOfNumber: 'digits after the sign or decimal point',
  InvalidUnicode: 'a valid \\uXXXX escape',
  InvalidEscapeCharacter: 'a valid escape such as \\n or \\"',
  InvalidCharacter: 'no control characters inside strings',
};

export function parseJsonc(file: string, text: string, hint = 'transfer.json is JSON; comments and trailing commas are allowed.'): JsoncDocument {
  const errors: ParseError[] = [];
  const value = parse(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    const e = errors[0];
    const { line, column } = lineColumn(text, e.offset);
    const code = printParseErrorCode(e.error);
    throw new ConfigError(file, `syntax error: expected ${EXPECTATIONS[code] ?? code}`, {
      line,
      column,
      hint,
    });
  }
  return { file, text, value, tree: parseTree(text, [], { allowTrailingComma: true }) };
}

/** Line and column of the value (or, for a key, the property) at a JSON path. */
export function locate(doc: JsoncDocument, path: (string | number)[], key?: string): { line?: number; column?: number } {
  if (!doc.tree) return {};
  let node = findNodeAtLocation(doc.tree, path);
  if (key !== undefined && node?.type === 'object') {
    const prop = node.children?.find((p) => p.children?.[0]?.value === key);
    if (prop) node = prop;
  }
  // Walk up the path until something is found (a missing key is reported at its parent).
  let p = path.slice();
  while (!node && p.length > 0) {
    p = p.slice(0, -1);
    node = findNodeAtLocation(doc.tree, p);
  }
  return node ? lineColumn(doc.text, node.offset) : {};
}
