import { Logger } from '@aws-lambda-powertools/logger';
import { PowertoolsStructuredLog } from '../../functions/adapters/powertools-structured-log.ts';
import { powertoolsLines } from '../support/powertools-output.ts';
import { RecordingLog } from '../support/recording-log.ts';
import { describeStructuredLogContract, type WrittenLine } from './structured-log.contract.ts';

describeStructuredLogContract('RecordingLog', async (act) => {
  const log = new RecordingLog();
  act(log);
  return log.lines.map(([level, message, attributes]) => ({
    level: level as WrittenLine['level'],
    message,
    attributes,
  }));
});

/** The keys Powertools writes on every line; `service` among them is the Lambda's, not a record's. */
const POWERTOOLS_KEYS = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'sampling_rate',
  'xray_trace_id',
]);

/** A Powertools JSON line as a reader sees it: the record's service is the `configService` key. */
function readLine(line: Record<string, unknown>): WrittenLine {
  const { configService, ...rest } = Object.fromEntries(
    Object.entries(line).filter(([key]) => !POWERTOOLS_KEYS.has(key)),
  );
  return {
    level: String(line.level).toLowerCase() as WrittenLine['level'],
    message: String(line.message),
    attributes: configService === undefined ? rest : { service: configService, ...rest },
  };
}

describeStructuredLogContract('PowertoolsStructuredLog', async (act) => {
  const logger = new Logger({ serviceName: 'config-steward-deliver-changes', logLevel: 'INFO' });
  const lines = await powertoolsLines(() => act(new PowertoolsStructuredLog(logger)));
  return lines.map(readLine);
});
