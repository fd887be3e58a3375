// Markdown helpers of the bench report: cells, tables, min / median / max spreads. Pure.

/** A table cell: '-' for a missing value. */
export const cell = (v) => (v === null || v === undefined ? '-' : String(v));

/** A Markdown table of `head` and `rows` (arrays of cells). */
export const table = (head, rows) => [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');

/** A spread `{min, median, max, n}` as "min / median / max", '-' when empty. */
export const mmm = (s) => (s && s.n ? `${s.min} / ${s.median} / ${s.max}` : '-');
