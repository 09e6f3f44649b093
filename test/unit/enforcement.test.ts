import { describe, expect, it } from 'vitest';
import { parseRuntimeEnvironment } from '../../functions/core/runtime-settings.ts';
import { enforcementOf } from '../../functions/core/validation/enforcement.ts';
import { HANDLER_ENV } from '../support/validate-change-harness.ts';

describe('Function: enforcementOf', () => {
  it('reads each environment’s enforcement from the settings; an environment they do not name only reports', () => {
    // Prepare
    const settings = parseRuntimeEnvironment({
      ...HANDLER_ENV,
      STEWARD_ENVIRONMENTS: JSON.stringify([
        { name: 'staging', enforcement: 'report' },
        { name: 'production', enforcement: 'enforce' },
      ]),
    });

    // Act
    const enforcement = enforcementOf(settings);

    // Assess
    expect(['staging', 'production', 'sandbox'].map(enforcement)).toEqual(['report', 'enforce', 'report']);
  });
});
