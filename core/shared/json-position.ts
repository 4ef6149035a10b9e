import { findNodeAtLocation, type Node, type ParseError, parseTree, printParseErrorCode } from 'jsonc-parser';

/** Where in a text a problem is: 1-based line and column, as editors and compilers count. */
export interface TextPosition {
  line: number;
  column: number;
}

/** The 1-based line and column of a character offset. */
export function positionAt(text: string, offset: number): TextPosition {
  const before = text.slice(0, Math.max(0, Math.min(offset, text.length)));
  const lines = before.split('\n');
  return { line: lines.length, column: (lines.at(-1)?.length ?? 0) + 1 };
}

const SYNTAX_WORDS: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'malformed number',
  PropertyNameExpected: 'a property name in double quotes expected',
  ValueExpected: 'a value expected',
  ColonExpected: '":" expected',
  CommaExpected: '"," expected',
  CloseBraceExpected: '"}" expected',
  CloseBracketExpected: '"]" expected',
  EndOfFileExpected: 'nothing expected after the end of the value',
  InvalidCommentToken: 'comments are not JSON',
  UnexpectedEndOfComment: 'comments are not JSON',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'malformed number',
  InvalidUnicode: 'malformed \\u escape',
  InvalidEscapeCharacter: 'malformed escape',
  InvalidCharacter: 'control character in a string',
};

export interface JsonSyntaxProblem extends TextPosition {
  message: string;
}

/** A parsed JSON text (strict: no comments, no trailing commas), or its syntax problems by position. */
export function parseJsonWithPositions(
  text: string,
): { tree: Node; value: unknown; problems: [] } | { problems: JsonSyntaxProblem[] } {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  if (errors.length > 0 || !tree) {
    const found = errors.length > 0 ? errors : [{ error: 4, offset: 0, length: 0 } as ParseError];
    return {
      problems: found.map((e) => {
        const code = printParseErrorCode(e.error);
        return { ...positionAt(text, e.offset), message: SYNTAX_WORDS[code] ?? code };
      }),
    };
  }
  // JSON.parse for the value itself: the tree has already shown the text is strict JSON.
  return { tree, value: JSON.parse(text) as unknown, problems: [] };
}

/**
 * The position of the value at `path`, or of the nearest ancestor that exists (a missing field is
 * reported where its object starts).
 */
export function positionOfPath(text: string, tree: Node, path: readonly (string | number)[]): TextPosition {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = findNodeAtLocation(tree, path.slice(0, depth) as (string | number)[]);
    if (node) {
      // A property's value: point at its key, where a reader looks for it.
      const at = node.parent?.type === 'property' && node.parent.children?.[1] === node ? node.parent : node;
      return positionAt(text, at.offset);
    }
  }
  return positionAt(text, tree.offset);
}
