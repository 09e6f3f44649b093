import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diffStat, unifiedDiff } from '../../functions/core/plan/unified-diff.ts';

/** The side of a diff made of its context lines and the lines of one sign. */
function side(diff: string, sign: '-' | '+'): string[] {
  return diff
    .split('\n')
    .slice(2)
    .filter((line) => !line.startsWith('@@') && (line.startsWith(' ') || line.startsWith(sign)))
    .map((line) => line.slice(1));
}

describe('Function: unifiedDiff', () => {
  it('writes diff -u hunks with three lines of context and 1-based ranges', () => {
    // Prepare
    const before = ['{', '  "a": 1,', '  "b": 2,', '  "c": 3,', '  "d": 4,', '  "e": 5', '}'].join('\n');
    const after = before.replace('"c": 3', '"c": 30');

    // Act
    const diff = unifiedDiff(before, after, { from: 'deployed', to: 'desired' });

    // Assess
    expect(diff).toBe(
      [
        '--- deployed',
        '+++ desired',
        '@@ -1,7 +1,7 @@',
        ' {',
        '   "a": 1,',
        '   "b": 2,',
        '-  "c": 3,',
        '+  "c": 30,',
        '   "d": 4,',
        '   "e": 5',
        ' }',
      ].join('\n'),
    );
    expect(diffStat(diff)).toEqual({ added: 1, removed: 1 });
  });

  it('splits changes further apart than twice the context into separate hunks', () => {
    // Prepare
    const lines = Array.from({ length: 20 }, (_, i) => `line ${i}`);
    const changed = lines.map((line, i) => (i === 2 || i === 17 ? `${line} changed` : line));

    // Act
    const diff = unifiedDiff(lines.join('\n'), changed.join('\n'));

    // Assess
    expect(diff.split('\n').filter((line) => line.startsWith('@@'))).toEqual([
      '@@ -1,6 +1,6 @@',
      '@@ -15,6 +15,6 @@',
    ]);
  });

  it('diffs from nothing as one hunk of additions, and equal texts as no diff', () => {
    // Act
    const created = unifiedDiff('', '{\n}', { from: '/dev/null', to: 'desired' });

    // Assess
    expect(created).toBe('--- /dev/null\n+++ desired\n@@ -0,0 +1,2 @@\n+{\n+}');
    expect(unifiedDiff('same', 'same')).toBe('');
  });

  it('keeps every line of both sides, in order (any two texts)', () => {
    const text = fc
      .array(fc.constantFrom('a', 'b', 'c', '  "x": 1', ''), { maxLength: 30 })
      .map((l) => l.join('\n'));
    fc.assert(
      fc.property(text, text, (before, after) => {
        const diff = unifiedDiff(before, after, { context: Number.POSITIVE_INFINITY });
        if (before === after) return diff === '';
        return (
          side(diff, '-').join('\n') === before.split('\n').join('\n') &&
          side(diff, '+').join('\n') === after.split('\n').join('\n')
        );
      }),
    );
  });
});
