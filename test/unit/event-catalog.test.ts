import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { eventJsonSchemas } from '../../functions/core/event-json-schemas.ts';
import { type DetailType, eventSchemas, stewardEvent } from '../../functions/core/events.ts';

/** The README's event catalog: each `### \`Detail Type\`` heading followed by a JSON example. */
function readmeExamples(): Map<string, unknown> {
  const readme = readFileSync('README.md', 'utf8');
  const catalog = readme.slice(readme.indexOf('## Event catalog'));
  const examples = new Map<string, unknown>();
  for (const match of catalog.matchAll(/### `([^`]+)`\s+```json\n([\s\S]*?)```/g)) {
    examples.set(match[1]!, JSON.parse(match[2]!));
  }
  return examples;
}

describe('Event catalog', () => {
  const examples = readmeExamples();

  it('documents every detail type in the README', () => {
    expect([...examples.keys()].sort()).toEqual(Object.keys(eventSchemas).sort());
  });

  it.each(Object.keys(eventSchemas))('the README example of %s satisfies its schema', (detailType) => {
    const parsed = eventSchemas[detailType as DetailType].safeParse(examples.get(detailType));
    expect(parsed.error?.issues ?? []).toEqual([]);
  });

  it('rejects a detail with a field the catalog does not know, such as a raw secret value', () => {
    expect(() =>
      stewardEvent('Secret Rotated', {
        secretName: 'config/production/orders/db',
        strategy: 'random',
        newVersionId: 'v2',
        durationMs: 1,
        password: 'hunter2',
      } as never),
    ).toThrow(/password/);
  });

  it('generates a JSON Schema for every detail type', () => {
    const schemas = eventJsonSchemas();
    expect(Object.keys(schemas).sort()).toEqual(Object.keys(eventSchemas).sort());
    expect(schemas['Config Change Accepted']).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['parameterName', 'valueFingerprint']),
      additionalProperties: false,
    });
  });
});
