/**
 * Source maps for our own code only. With `--enable-source-maps` Node.js reads and parses the map of
 * every file it loads, at cold start; mappings into node_modules (the AWS SDK, zod, Powertools) make
 * up most of a map's bytes and point stack traces into code we do not debug. This keeps the
 * mappings whose source is ours and drops the rest: a frame in a dependency then reads as a
 * position in the bundle, a frame in our code still reads as its TypeScript line.
 */

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
/** Base64 digit of a character code, -1 for any other character (a lookup table: maps are large). */
const DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE64.length; i++) DIGIT[BASE64.charCodeAt(i)] = i;

/** The fields of one VLQ segment (Base64 VLQ of the source map v3 format). */
function decodeSegment(segment: string): number[] {
  const fields: number[] = [];
  let value = 0;
  let shift = 0;
  for (let at = 0; at < segment.length; at++) {
    const digit = DIGIT[segment.charCodeAt(at)] ?? -1;
    if (digit < 0) throw new Error(`not a source-map VLQ digit: ${segment[at]}`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return fields;
}

function encodeField(field: number): string {
  let value = field < 0 ? (-field << 1) | 1 : field << 1;
  let out = '';
  do {
    let digit = value & 31;
    value >>>= 5;
    if (value > 0) digit |= 32;
    out += BASE64[digit];
  } while (value > 0);
  return out;
}

export interface SourceMapV3 {
  version: 3;
  sources: string[];
  names: string[];
  mappings: string;
  sourcesContent?: (string | null)[];
  [field: string]: unknown;
}

/**
 * The map with only the mappings whose source `keep` accepts; sources and names no kept mapping
 * uses are dropped.
 *
 * @example
 * keepSources(map, (source) => !source.includes('node_modules/'));
 */
export function keepSources(map: SourceMapV3, keep: (source: string) => boolean): SourceMapV3 {
  const sourceIndex = new Map<number, number>();
  const nameIndex = new Map<number, number>();
  const sources: string[] = [];
  const names: string[] = [];
  // Absolute positions while decoding, and the previous values written while encoding.
  const read = { source: 0, line: 0, column: 0, name: 0 };
  const written = { source: 0, line: 0, column: 0, name: 0 };
  const lines = map.mappings.split(';').map((line) => {
    let readColumn = 0;
    let writtenColumn = 0;
    const kept: string[] = [];
    for (const segment of line.split(',')) {
      if (segment === '') continue;
      const [column = 0, source, sourceLine, sourceColumn, name] = decodeSegment(segment);
      readColumn += column;
      if (source === undefined) continue; // a generated column with no source: nothing to keep
      read.source += source;
      read.line += sourceLine!;
      read.column += sourceColumn!;
      if (name !== undefined) read.name += name;
      if (!keep(map.sources[read.source]!)) continue;
      if (!sourceIndex.has(read.source)) {
        sourceIndex.set(read.source, sources.length);
        sources.push(map.sources[read.source]!);
      }
      const fields = [
        readColumn - writtenColumn,
        sourceIndex.get(read.source)! - written.source,
        read.line - written.line,
        read.column - written.column,
      ];
      writtenColumn = readColumn;
      written.source = sourceIndex.get(read.source)!;
      written.line = read.line;
      written.column = read.column;
      if (name !== undefined) {
        if (!nameIndex.has(read.name)) {
          nameIndex.set(read.name, names.length);
          names.push(map.names[read.name]!);
        }
        fields.push(nameIndex.get(read.name)! - written.name);
        written.name = nameIndex.get(read.name)!;
      }
      kept.push(fields.map(encodeField).join(''));
    }
    return kept.join(',');
  });
  const { sourcesContent: _dropped, ...rest } = map;
  return { ...rest, sources, names, mappings: lines.join(';') };
}

/** True for a source of our own (not under node_modules). */
export const isOwnSource = (source: string): boolean => !source.includes('node_modules/');
