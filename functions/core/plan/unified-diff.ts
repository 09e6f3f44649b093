/**
 * A unified diff of two texts by lines (the `diff -u` format reviewers read in pull requests), from a
 * longest common subsequence. Configuration documents are hundreds of lines, so the quadratic table
 * is small; the common head and tail are trimmed first, which leaves only the changed middle.
 */

export interface UnifiedDiffOptions {
  /** Unchanged lines shown around each change. @default 3 */
  readonly context?: number;
  /** The `---` and `+++` header names. */
  readonly from?: string;
  readonly to?: string;
}

type Edit = { readonly op: ' ' | '-' | '+'; readonly line: string };

/**
 * The unified diff of `before` and `after`, or `''` when they are equal.
 *
 * @example
 * unifiedDiff('{\n  "a": 1\n}', '{\n  "a": 2\n}', { from: 'deployed', to: 'desired' });
 * // '--- deployed\n+++ desired\n@@ -1,3 +1,3 @@\n {\n-  "a": 1\n+  "a": 2\n }'
 */
export function unifiedDiff(before: string, after: string, options: UnifiedDiffOptions = {}): string {
  if (before === after) return '';
  const context = options.context ?? 3;
  const edits = lineEdits(splitLines(before), splitLines(after));
  const hunks = hunksOf(edits, context);
  return [`--- ${options.from ?? 'before'}`, `+++ ${options.to ?? 'after'}`, ...hunks].join('\n');
}

/** Lines added and removed by a diff from {@link unifiedDiff}. */
export function diffStat(diff: string): { readonly added: number; readonly removed: number } {
  let added = 0;
  let removed = 0;
  for (const line of diff.split('\n')) {
    if (line.startsWith('+') && !line.startsWith('+++ ')) added++;
    else if (line.startsWith('-') && !line.startsWith('--- ')) removed++;
  }
  return { added, removed };
}

function splitLines(text: string): string[] {
  return text === '' ? [] : text.split('\n');
}

function lineEdits(a: readonly string[], b: readonly string[]): Edit[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  ) {
    tail++;
  }
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  return [
    ...a.slice(0, head).map((line): Edit => ({ op: ' ', line })),
    ...middleEdits(midA, midB),
    ...a.slice(a.length - tail).map((line): Edit => ({ op: ' ', line })),
  ];
}

/** Edits of the changed middle: LCS lengths of suffixes, then one walk from the start. */
function middleEdits(a: readonly string[], b: readonly string[]): Edit[] {
  const width = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * width + j] =
        a[i] === b[j]
          ? (lcs[(i + 1) * width + j + 1] ?? 0) + 1
          : Math.max(lcs[(i + 1) * width + j] ?? 0, lcs[i * width + j + 1] ?? 0);
    }
  }
  const edits: Edit[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      edits.push({ op: ' ', line: a[i] as string });
      i++;
      j++;
    } else if ((lcs[(i + 1) * width + j] ?? 0) >= (lcs[i * width + j + 1] ?? 0)) {
      edits.push({ op: '-', line: a[i++] as string });
    } else {
      edits.push({ op: '+', line: b[j++] as string });
    }
  }
  while (i < a.length) edits.push({ op: '-', line: a[i++] as string });
  while (j < b.length) edits.push({ op: '+', line: b[j++] as string });
  return edits;
}

/** Group edits into `@@` hunks with `context` unchanged lines around each run of changes. */
function hunksOf(edits: readonly Edit[], context: number): string[] {
  const changed = edits.flatMap((edit, index) => (edit.op === ' ' ? [] : [index]));
  const lines: string[] = [];
  let cursor = 0;
  while (cursor < changed.length) {
    const start = Math.max(0, (changed[cursor] as number) - context);
    let end = (changed[cursor] as number) + context;
    while (cursor + 1 < changed.length && (changed[cursor + 1] as number) - context <= end + 1) {
      cursor++;
      end = (changed[cursor] as number) + context;
    }
    end = Math.min(edits.length - 1, end);
    cursor++;
    const before = edits.slice(0, start);
    const hunk = edits.slice(start, end + 1);
    const oldStart = before.filter((e) => e.op !== '+').length;
    const newStart = before.filter((e) => e.op !== '-').length;
    const oldCount = hunk.filter((e) => e.op !== '+').length;
    const newCount = hunk.filter((e) => e.op !== '-').length;
    lines.push(`@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@`);
    lines.push(...hunk.map((e) => `${e.op}${e.line}`));
  }
  return lines;
}

/** `start,count` as diff -u writes it: 1-based, and the line before when the range is empty. */
function range(zeroBasedStart: number, count: number): string {
  return count === 0 ? `${zeroBasedStart},0` : `${zeroBasedStart + 1},${count}`;
}
