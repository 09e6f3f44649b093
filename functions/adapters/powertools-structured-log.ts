/**
 * The `StructuredLog` port on Powertools' Logger. The Logger drops a custom attribute named like one
 * of its own keys (with a warning), and the domain's `service` (the configured service a change or
 * document belongs to) is such a key: Powertools' `service` is the Lambda's. So it is written as
 * `configService`, here once for every use case that logs through the port.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { StructuredLog } from '../ports/logger.ts';

type Attributes = { readonly [key: string]: unknown };

/**
 * Attributes as Powertools keeps them: `service` becomes `configService`, the rest is unchanged.
 *
 * @example
 * powertoolsAttributes({ service: 'orders', environment: 'production' });
 * // { environment: 'production', configService: 'orders' }
 */
export function powertoolsAttributes<A extends Attributes>(attributes: A): Record<string, unknown> {
  if (!('service' in attributes)) return attributes;
  const { service, ...rest } = attributes;
  return service === undefined ? rest : { ...rest, configService: service };
}

/**
 * @example
 * judgeChangeEvent(event, { ...deps, log: new PowertoolsStructuredLog(logger) });
 */
export class PowertoolsStructuredLog implements StructuredLog {
  constructor(private readonly logger: Pick<Logger, 'info' | 'warn' | 'error'>) {}

  info(message: string, attributes: Attributes): void {
    this.logger.info(message, powertoolsAttributes(attributes));
  }

  warn(message: string, attributes: Attributes): void {
    this.logger.warn(message, powertoolsAttributes(attributes));
  }

  error(message: string, attributes: Attributes): void {
    this.logger.error(message, powertoolsAttributes(attributes));
  }
}
