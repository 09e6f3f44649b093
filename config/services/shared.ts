/** Keys every service of an environment inherits, layered under each service's own keys. */
import { boolean, duration, oneOf } from '../../functions/core/keys.ts';
import { defineService } from '../../functions/core/model.ts';

export const shared = defineService({
  name: 'shared',
  description: 'Defaults common to every service',
  keys: {
    'log-level': oneOf(['debug', 'info', 'warn', 'error'], { default: 'info' }),
    'tracing-enabled': boolean({ default: true }),
    'http/timeout': duration({ min: '100ms', max: '30s' }, { default: '3s' }),
  },
  values: {
    staging: { 'log-level': 'debug' },
    production: { 'log-level': 'info', 'http/timeout': '2s' },
  },
  expectedOverrides: {
    'log-level': 'staging keeps debug logs for investigations; production logs at info to control cost',
    'http/timeout': 'production uses a tighter timeout behind its load balancer',
  },
});
