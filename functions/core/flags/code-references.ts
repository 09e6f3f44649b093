/**
 * Flag keys in source code: the string literals at the call sites of `@config-steward/client`, its
 * middy middleware (`context.flags`) and OpenFeature, found by parsing each file with the TypeScript
 * compiler (no regexes: comments, strings and look-alike calls are told apart), and the comparison with
 * the flags `config/` declares. Pure: it takes file texts; the CLI's scanner reads them.
 *
 * What is not found, by design: a key that is computed (`flags.isEnabled(prefix + name)`), passed
 * through a variable or a constant, or read through another SDK. Calls with such keys are reported as
 * `computed`, so a reader knows where the scan could not look.
 */
import ts from 'typescript';
import type { Organisation } from '../model.ts';

/** One source file, its path as it should appear in reports (`file:line`). */
export interface SourceText {
  readonly path: string;
  readonly text: string;
}

/** A flag key found as a string literal at a flag call. */
export interface FlagReference {
  readonly flag: string;
  readonly file: string;
  /** 1-based, as editors and compilers count. */
  readonly line: number;
  readonly column: number;
  /** The method called: `isEnabled`, `getBooleanValue`, `loadFlags only`, … */
  readonly call: string;
}

/** A flag call whose key is not a string literal: the scan cannot tell which flag it reads. */
export interface ComputedKeyCall {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly call: string;
}

export interface FileReferences {
  readonly references: readonly FlagReference[];
  readonly computed: readonly ComputedKeyCall[];
}

/**
 * The client's public flag calls (`Flags`, `LiveFlags` and `FlagEvaluator` in packages/client/src),
 * each taking the flag key first. Their names are common words (`has`, `value`, `resolve`), so they
 * count only on a receiver that is a flags object (see {@link isFlagsReceiver}).
 */
export const CLIENT_FLAG_METHODS: readonly string[] = [
  'isEnabled',
  'value',
  'reason',
  'resolve',
  'attribute',
  'has',
  'definition',
];

/**
 * OpenFeature's evaluation API (client) and provider API, each taking the flag key first. Names no
 * other library uses, so they count on any receiver.
 */
export const OPENFEATURE_FLAG_METHODS: readonly string[] = ['Boolean', 'String', 'Number', 'Object'].flatMap(
  (type) => [`get${type}Value`, `get${type}Details`, `resolve${type}Evaluation`],
);

/** Functions that return a flags object: a variable bound to their result is a flags receiver. */
const FLAGS_FACTORIES = new Set(['loadFlags', 'createFlagEvaluator']);
const FLAGS_FACTORY_ONLY_OPTION = 'only';
/**
 * A receiver whose name says flags: `flags`, `context.flags`, `orderFlags`, `featureFlags.evaluator`;
 * not a constant in capitals (`HELP_FLAGS.has('-h')` is a set of command-line flags).
 */
const saysFlags = (name: string) => /flags/i.test(name) && name !== name.toUpperCase();

const CLIENT_METHODS = new Set(CLIENT_FLAG_METHODS);
const OPENFEATURE_METHODS = new Set(OPENFEATURE_FLAG_METHODS);
/** Words a file must contain to be worth parsing; most files contain none. */
const TRIGGERS = [...CLIENT_FLAG_METHODS, ...OPENFEATURE_FLAG_METHODS, ...FLAGS_FACTORIES];

const SCRIPT_KINDS: Readonly<Record<string, ts.ScriptKind>> = {
  '.ts': ts.ScriptKind.TS,
  '.mts': ts.ScriptKind.TS,
  '.cts': ts.ScriptKind.TS,
  '.tsx': ts.ScriptKind.TSX,
  '.js': ts.ScriptKind.JS,
  '.mjs': ts.ScriptKind.JS,
  '.cjs': ts.ScriptKind.JS,
  '.jsx': ts.ScriptKind.JSX,
};

/** The file extensions {@link findFlagReferences} parses. */
export const SOURCE_EXTENSIONS: readonly string[] = Object.keys(SCRIPT_KINDS);

/**
 * The flag keys one file reads, with `file:line`. A file that does not parse cleanly is still walked
 * (the TypeScript parser recovers); nothing here throws on bad source.
 *
 * @example
 * findFlagReferences({ path: 'src/api.ts', text: "if (flags.isEnabled('new-checkout')) {}" });
 * // → { references: [{ flag: 'new-checkout', file: 'src/api.ts', line: 1, column: 21, call: 'isEnabled' }], computed: [] }
 */
export function findFlagReferences(source: SourceText): FileReferences {
  if (!TRIGGERS.some((word) => source.text.includes(word))) return { references: [], computed: [] };
  const extension = source.path.slice(source.path.lastIndexOf('.')).toLowerCase();
  const file = ts.createSourceFile(
    source.path,
    source.text,
    ts.ScriptTarget.Latest,
    true,
    SCRIPT_KINDS[extension] ?? ts.ScriptKind.TS,
  );
  const boundFlags = flagsVariables(file);
  const references: FlagReference[] = [];
  const computed: ComputedKeyCall[] = [];
  const at = (node: ts.Node) => {
    const { line, character } = file.getLineAndCharacterOfPosition(node.getStart(file));
    return { file: source.path, line: line + 1, column: character + 1 };
  };
  const record = (call: string, key: ts.Expression | undefined) => {
    if (key === undefined) return;
    if (ts.isStringLiteral(key) || ts.isNoSubstitutionTemplateLiteral(key)) {
      references.push({ flag: key.text, ...at(key), call });
    } else {
      computed.push({ ...at(key), call });
    }
  };

  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (ts.isPropertyAccessExpression(callee)) {
        const method = callee.name.text;
        if (
          OPENFEATURE_METHODS.has(method) ||
          (CLIENT_METHODS.has(method) && isFlagsReceiver(callee.expression, boundFlags))
        ) {
          record(method, node.arguments[0]);
        }
      }
      if (FLAGS_FACTORIES.has(calleeName(callee) ?? '')) {
        for (const key of onlyOption(node)) record(`${calleeName(callee)} only`, key);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return { references, computed };
}

/** The name a call's callee ends in: `loadFlags` for `loadFlags(…)` and `client.loadFlags(…)`. */
function calleeName(callee: ts.Expression): string | undefined {
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  return undefined;
}

/** The keys of `loadFlags(service, { only: [...] })`: the flags a service asks the extension for. */
function onlyOption(call: ts.CallExpression): ts.Expression[] {
  const options = call.arguments.find(ts.isObjectLiteralExpression);
  const only = options?.properties.find(
    (p): p is ts.PropertyAssignment =>
      ts.isPropertyAssignment(p) && p.name.getText() === FLAGS_FACTORY_ONLY_OPTION,
  );
  const list = only && unwrap(only.initializer);
  return list && ts.isArrayLiteralExpression(list) ? [...list.elements] : [];
}

/** `await x`, `(x)`, `x as T`, `x!` and `x satisfies T` read as `x`. */
function unwrap(expression: ts.Expression): ts.Expression {
  let current = expression;
  for (;;) {
    if (
      ts.isAwaitExpression(current) ||
      ts.isParenthesizedExpression(current) ||
      ts.isAsExpression(current) ||
      ts.isNonNullExpression(current) ||
      ts.isSatisfiesExpression(current)
    ) {
      current = current.expression;
    } else {
      return current;
    }
  }
}

function isFlagsFactoryCall(expression: ts.Expression): boolean {
  const inner = unwrap(expression);
  return ts.isCallExpression(inner) && FLAGS_FACTORIES.has(calleeName(inner.expression) ?? '');
}

/**
 * Variables bound to a flags object in this file, whatever their name: `const f = await loadFlags(…)`,
 * and `const [config, f] = await Promise.all([loadConfig(…), loadFlags(…)])` by position.
 */
function flagsVariables(file: ts.SourceFile): Set<string> {
  const names = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isVariableDeclaration(node) && node.initializer) {
      if (ts.isIdentifier(node.name) && isFlagsFactoryCall(node.initializer)) names.add(node.name.text);
      if (ts.isArrayBindingPattern(node.name)) {
        const all = unwrap(node.initializer);
        const list =
          ts.isCallExpression(all) && calleeName(all.expression) === 'all' ? all.arguments[0] : undefined;
        if (list && ts.isArrayLiteralExpression(list)) {
          node.name.elements.forEach((element, i) => {
            const value = list.elements[i];
            if (
              ts.isBindingElement(element) &&
              ts.isIdentifier(element.name) &&
              value &&
              isFlagsFactoryCall(value)
            ) {
              names.add(element.name.text);
            }
          });
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return names;
}

/**
 * A flags object: a call to a flags factory, a variable bound to one, or a name that says flags
 * anywhere along the access chain (`context.flags`, `this.orderFlags.evaluator`).
 */
function isFlagsReceiver(receiver: ts.Expression, boundFlags: ReadonlySet<string>): boolean {
  let current = unwrap(receiver);
  for (;;) {
    if (isFlagsFactoryCall(current)) return true;
    if (ts.isIdentifier(current)) return boundFlags.has(current.text) || saysFlags(current.text);
    if (ts.isPropertyAccessExpression(current)) {
      if (saysFlags(current.name.text)) return true;
      current = unwrap(current.expression);
      continue;
    }
    return false;
  }
}

/** A flag `config/` declares. */
export interface DeclaredFlag {
  readonly service: string;
  readonly flag: string;
}

/** Every flag of every service, in declaration order. */
export function declaredFlags(organisation: Organisation): DeclaredFlag[] {
  return organisation.services.flatMap((service) =>
    Object.keys(service.flags ?? {}).map((flag) => ({ service: service.name, flag })),
  );
}

export interface CodeReferenceReport {
  /** Declared flags with at least one reference, with every reference. */
  readonly referenced: readonly (DeclaredFlag & { readonly references: readonly FlagReference[] })[];
  /** Declared flags no scanned file reads by a literal key: candidates for removal. */
  readonly unreferenced: readonly DeclaredFlag[];
  /** References to keys no service declares: an error (a typo, or a flag removed too early). */
  readonly unknown: readonly FlagReference[];
  /** Flag calls whose key the scan cannot read. */
  readonly computed: readonly ComputedKeyCall[];
}

/**
 * Compare the references found with the flags declared. Keys are matched by name across services
 * (a call site does not say which service's flags it holds).
 *
 * @example
 * const report = compareWithDeclaredFlags(files.map(findFlagReferences), [{ service: 'orders', flag: 'new-checkout' }]);
 * if (report.unknown.length > 0) process.exitCode = 1;
 */
export function compareWithDeclaredFlags(
  found: readonly FileReferences[],
  declared: readonly DeclaredFlag[],
): CodeReferenceReport {
  const references = found.flatMap((f) => f.references).sort(byLocation);
  const byFlag = new Map<string, FlagReference[]>();
  for (const reference of references) {
    byFlag.set(reference.flag, [...(byFlag.get(reference.flag) ?? []), reference]);
  }
  const declaredKeys = new Set(declared.map((d) => d.flag));
  return {
    referenced: declared.flatMap((d) => {
      const of = byFlag.get(d.flag);
      return of ? [{ ...d, references: of }] : [];
    }),
    unreferenced: declared.filter((d) => !byFlag.has(d.flag)),
    unknown: references.filter((r) => !declaredKeys.has(r.flag)),
    computed: found.flatMap((f) => f.computed).sort(byLocation),
  };
}

function byLocation(a: ComputedKeyCall, b: ComputedKeyCall): number {
  return a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column;
}
