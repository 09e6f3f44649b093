/**
 * The `variants` attribute of a multi-variant flag: the ordered rules Steward's client evaluates
 * locally, written beside AppConfig's own `_variants` (which the AppConfig agent evaluates), and the
 * check that the two still say the same thing.
 */

/** One variant as the `variants` attribute carries it for local evaluation. */
export function localVariant(name: string, rule: string | undefined, enabled: boolean, value: unknown) {
  return {
    name,
    ...(rule !== undefined ? { rule } : {}),
    enabled,
    ...(value !== undefined ? { value } : {}),
  };
}

/**
 * Where a hosted multi-variant flag's `variants` attribute (what the client evaluates locally)
 * disagrees with its `_variants` (what the AppConfig agent evaluates for a `Context` header): a
 * variant without the attribute, or a list whose names, order, rules, on/off or values differ — as
 * after an edit in the AppConfig console. Such a document would make the client and the agent
 * serve different variants for the same context, so the AppConfig validator refuses it.
 *
 * @example
 * variantListIssues('checkout-theme', document.values['checkout-theme']._variants);
 * // [] when every variant carries the same list as _variants
 */
export function variantListIssues(
  key: string,
  variants: readonly unknown[],
): { path: string; message: string }[] {
  const hosted = variants.map((raw) => {
    const variant = (raw ?? {}) as {
      name?: unknown;
      rule?: unknown;
      enabled?: unknown;
      attributeValues?: Record<string, unknown>;
    };
    const attributes = variant.attributeValues ?? {};
    let value = attributes['value'];
    if (attributes['valueEncoding'] === 'json' && typeof value === 'string') {
      try {
        value = JSON.parse(value);
      } catch {
        // left as text: then it cannot equal the list's value, and the mismatch is reported
      }
    }
    const rule = typeof variant.rule === 'string' ? variant.rule : undefined;
    return JSON.stringify(localVariant(String(variant.name), rule, variant.enabled === true, value));
  });
  const issues: { path: string; message: string }[] = [];
  variants.forEach((raw, index) => {
    const path = `values.${key}._variants.${index}.attributeValues.variants`;
    const texts = (raw as { attributeValues?: Record<string, unknown> } | null)?.attributeValues?.[
      'variants'
    ];
    if (!Array.isArray(texts)) {
      issues.push({
        path,
        message:
          "missing: every variant carries the ordered rules Steward's client evaluates (was the flag edited in the AppConfig console? change it in config/)",
      });
      return;
    }
    const local = texts.map((text) => {
      try {
        const { name, rule, enabled, value } = JSON.parse(String(text)) as Record<string, unknown>;
        return JSON.stringify(
          localVariant(String(name), typeof rule === 'string' ? rule : undefined, enabled === true, value),
        );
      } catch {
        return undefined;
      }
    });
    const differs = local.length !== hosted.length || local.some((text, i) => text !== hosted[i]);
    if (differs) {
      issues.push({
        path,
        message:
          'does not match _variants (names, order, rules, on/off or values): the client and the AppConfig agent would serve different variants (was the flag edited in the AppConfig console? change it in config/)',
      });
    }
  });
  return issues;
}
