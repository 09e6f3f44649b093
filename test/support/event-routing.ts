/**
 * The two matchers an event meets on its way to a dashboard count, for the subset of their languages the
 * stack uses: an EventBridge event pattern (which events a rule routes) and a CloudWatch Logs JSON metric
 * filter (which logged events a metric counts, and the dimension values it reads). Anything outside that
 * subset throws, so a pattern the stack starts to use is not silently read as matching.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Whether `event` matches an EventBridge pattern made of value lists and `{ prefix }` matchers, nested
 * by field (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html): every
 * field of the pattern must match; a list matches when any of its entries matches the value, or any
 * element of an array value.
 *
 * @example
 * matchesEventPattern({ source: ['aws.appconfig'] }, { source: 'aws.appconfig' }); // true
 */
export function matchesEventPattern(
  pattern: Record<string, unknown>,
  event: Record<string, unknown>,
): boolean {
  return Object.entries(pattern).every(([field, expected]) => {
    const actual = event[field];
    if (Array.isArray(expected)) {
      const values = Array.isArray(actual) ? actual : [actual];
      return values.some((value) => expected.some((matcher) => matchesValue(matcher, value)));
    }
    if (expected && typeof expected === 'object') {
      return (
        actual !== null &&
        typeof actual === 'object' &&
        matchesEventPattern(expected as Record<string, unknown>, actual as Record<string, unknown>)
      );
    }
    throw new Error(`event-routing: unsupported pattern for ${field}: ${JSON.stringify(expected)}`);
  });
}

function matchesValue(matcher: unknown, value: unknown): boolean {
  if (typeof matcher === 'string' || typeof matcher === 'number') return matcher === value;
  if (matcher && typeof matcher === 'object' && 'prefix' in matcher && Object.keys(matcher).length === 1) {
    return typeof value === 'string' && value.startsWith(String(matcher.prefix));
  }
  throw new Error(`event-routing: unsupported matcher ${JSON.stringify(matcher)}`);
}

/** One `($.path = "value")` term of a JSON metric filter; `"*"` means "exists, any value". */
const TERM = /^\(\s*(\$(?:\.[\w-]+)+)\s*=\s*"([^"]*)"\s*\)$/;

/**
 * Whether a logged JSON event meets a metric filter of `&&`-joined equality terms
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html).
 *
 * @example
 * matchesMetricFilter('{ ($.source = "aws.appconfig") && ($.detail.Environment.Name = "*") }', event);
 */
export function matchesMetricFilter(filterPattern: string, event: Json): boolean {
  const body = /^\{\s*(.*?)\s*\}$/.exec(filterPattern)?.[1];
  if (body === undefined) throw new Error(`event-routing: not a JSON filter: ${filterPattern}`);
  return body.split('&&').every((term) => {
    const [, path, value] = TERM.exec(term.trim()) ?? [];
    if (path === undefined || value === undefined) throw new Error(`event-routing: unsupported term ${term}`);
    const actual = jsonPath(event, path);
    return value === '*' ? actual !== undefined : actual === value;
  });
}

/** The value at a `$.a.b` path of a JSON event, as a metric filter's dimension reads it. */
export function jsonPath(event: Json, path: string): Json | undefined {
  let current: Json | undefined = event;
  for (const key of path.split('.').slice(1)) {
    current =
      current !== null && typeof current === 'object' && !Array.isArray(current) ? current[key] : undefined;
  }
  return current;
}
