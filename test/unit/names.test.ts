import { describe, expect, it } from 'vitest';
import * as names from '../../functions/core/names.ts';
import { parseParameterChange } from '../../functions/core/validation/change-event.ts';

describe('Module: names', () => {
  it('keeps the names that outlive a deployment: labels on stored versions, profile names, metrics', () => {
    // Assess: renaming one would orphan what earlier deployments wrote (labels on versions in
    // Parameter Store, AppConfig profiles found by name, the alarm on the rotation metric).
    expect(names.LAST_KNOWN_GOOD).toBe('last-known-good');
    expect(names.RESTORE_ANNOUNCED).toBe('steward-restore-announced');
    expect(names.DOCUMENT_PROFILE_NAME).toBe('document');
    expect(names.FLAGS_PROFILE_NAME).toBe('flags');
    expect(names.FEATURE_FLAGS_PROFILE_TYPE).toBe('AWS.AppConfig.FeatureFlags');
    expect(names.METRICS_NAMESPACE).toBe('ConfigSteward');
    expect(names.ROTATION_FAILED_METRIC).toBe('RotationFailed');
  });

  it('declares every environment variable once, each under its own name', () => {
    // Prepare
    const variables = Object.entries(names).filter(([constant]) => constant.endsWith('_ENV'));

    // Assess
    expect(variables.length).toBeGreaterThan(0);
    for (const [, value] of variables) expect(value).toMatch(/^STEWARD_[A-Z_]+$/);
    expect(new Set(variables.map(([, value]) => value)).size).toBe(variables.length);
  });

  it('names the change event the stack routes exactly as the validator parses it', () => {
    // Prepare
    const event = {
      id: '6a7e4feb-b491-4cf7-a9f1-bf3703497718',
      time: '2026-11-20T16:44:48Z',
      source: names.PARAMETER_CHANGE_SOURCE,
      'detail-type': names.PARAMETER_CHANGE_DETAIL_TYPE,
      detail: { name: '/config/production/orders/max-retries', operation: 'Update' },
    };

    // Act
    const parsed = () => parseParameterChange(event);
    const otherSource = () => parseParameterChange({ ...event, source: 'aws.appconfig' });

    // Assess
    expect(parsed).not.toThrow();
    expect(otherSource).toThrow();
  });
});
