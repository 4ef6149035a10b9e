/** Where a terminal is too narrow to be known (piped, CI), tables fit this many columns. */
export const DEFAULT_WIDTH = 120;
const GAP = 2;
/** When pieces must break, no column is cut below this. */
const MIN_COLUMN = 8;

export interface TableOptions {
  /** The widest line allowed; long cells wrap onto more lines of their row to fit. */
  maxWidth?: number;
}

/**
 * A fixed-width text table for human output: the header, a dashed rule, then the rows; columns
 * two spaces apart, each as wide as its widest cell, with no trailing blanks. With `maxWidth`,
 * the widest columns are narrowed until the table fits, and their cells wrap at spaces (or
 * anywhere, for a word longer than the column).
 */
export function table(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  options: TableOptions = {},
): string {
  const natural = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const columns = headers.map((h, i) => [h, ...rows.map((r) => r[i] ?? '')]);
  const widths = options.maxWidth === undefined ? natural : fitWidths(natural, columns, options.maxWidth);
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join(' '.repeat(GAP))
      .trimEnd();
  const block = (cells: readonly string[]): string[] => {
    const wrapped = widths.map((w, i) => wrap(cells[i] ?? '', w));
    const height = Math.max(1, ...wrapped.map((w) => w.length));
    return Array.from({ length: height }, (_, k) => line(wrapped.map((w) => w[k] ?? '')));
  };
  return [...block(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.flatMap(block)].join('\n');
}

/** The pieces a cell may wrap between: at spaces (which the wrap drops), and after `-`, `/`, `:` or `,`. */
function pieces(text: string): { piece: string; spaceBefore: boolean }[] {
  const out: { piece: string; spaceBefore: boolean }[] = [];
  text.split(' ').forEach((word, index) => {
    const parts = word.match(/[^-/:,]*[-/:,]?/g)?.filter((p) => p !== '') ?? [];
    parts.forEach((piece, k) => {
      out.push({ piece, spaceBefore: index > 0 && k === 0 });
    });
    if (parts.length === 0 && index > 0) out.push({ piece: '', spaceBefore: true });
  });
  return out;
}

/** A value this short (`2595.2 s`, `yes`) is kept on one line. */
const SHORT_CELL = 8;

/** The narrowest a column can be without breaking inside a piece, or inside a short value (headers may wrap). */
function minimumWidth([header = '', ...cells]: readonly string[]): number {
  return Math.max(
    1,
    ...pieces(header).map((p) => p.piece.length),
    ...cells.flatMap((c) => (c.length <= SHORT_CELL ? [c.length] : pieces(c).map((p) => p.piece.length))),
  );
}

/**
 * Column widths that fit `maxWidth`. Every column first gets the width of its longest unbreakable
 * piece; what is left is shared in proportion to how much more each column would take. When even
 * the pieces do not fit, the widest columns are cut down to one common cap (their pieces break).
 */
function fitWidths(
  natural: readonly number[],
  columns: readonly (readonly string[])[],
  maxWidth: number,
): number[] {
  const gaps = GAP * Math.max(0, natural.length - 1);
  const budget = Math.max(natural.length, maxWidth - gaps);
  if (natural.reduce((a, b) => a + b, 0) <= budget) return [...natural];
  const minimum = columns.map((cells, i) => Math.min(natural[i] ?? 0, minimumWidth(cells)));
  const least = minimum.reduce((a, b) => a + b, 0);
  if (least > budget) {
    // Cut only columns of text (wider than their longest piece), never one of single values (ids).
    const capped = (cap: number) => minimum.map((m, i) => ((natural[i] ?? 0) > m ? Math.min(m, cap) : m));
    let cap = Math.max(...minimum);
    while (cap > MIN_COLUMN && capped(cap).reduce((a, b) => a + b, 0) > budget) cap--;
    return capped(cap);
  }
  // Water-filling: columns that want little beyond their minimum get it all; the others share the rest.
  const widths = [...minimum];
  let spare = budget - least;
  let open = natural.map((_, i) => i).filter((i) => (widths[i] ?? 0) < (natural[i] ?? 0));
  while (spare > 0 && open.length > 0) {
    const share = Math.floor(spare / open.length);
    const satisfied = open.filter((i) => (natural[i] ?? 0) - (widths[i] ?? 0) <= share);
    if (satisfied.length === 0) {
      open.forEach((i, k) => {
        widths[i] = (widths[i] ?? 0) + share + (k < spare - share * open.length ? 1 : 0);
      });
      break;
    }
    for (const i of satisfied) {
      spare -= (natural[i] ?? 0) - (widths[i] ?? 0);
      widths[i] = natural[i] ?? 0;
    }
    open = open.filter((i) => !satisfied.includes(i));
  }
  return widths;
}

/**
 * The lines of `text` within `width`: breaks at spaces, or after `-`, `/`, `:` or `,`, and inside
 * a piece only when it alone is too long.
 */
export function wrap(text: string, width: number): string[] {
  if (text.length <= width || width <= 0) return [text];
  const lines: string[] = [];
  let current = '';
  for (const { piece, spaceBefore } of pieces(text)) {
    let rest = piece;
    let joiner = spaceBefore && current !== '' ? ' ' : '';
    for (;;) {
      const candidate = `${current}${joiner}${rest}`;
      if (candidate.length <= width) {
        current = candidate;
        break;
      }
      if (current !== '') {
        lines.push(current);
        current = '';
        joiner = '';
        continue;
      }
      lines.push(rest.slice(0, width));
      rest = rest.slice(width);
      joiner = '';
      if (rest === '') break;
    }
  }
  if (current !== '' || lines.length === 0) lines.push(current);
  return lines;
}
