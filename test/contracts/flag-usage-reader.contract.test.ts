import { CloudWatchFlagUsageReader } from '../../functions/adapters/cloudwatch-flag-usage-reader.ts';
import { InMemoryFlagUsage } from '../support/in-memory-flag-usage.ts';
import { SimulatedCloudWatchMetrics } from '../support/simulated-cloudwatch-metrics.ts';
import { describeFlagUsageReaderContract } from './flag-usage-reader.contract.ts';

describeFlagUsageReaderContract('InMemoryFlagUsage', () => {
  const reader = new InMemoryFlagUsage();
  return { reader, ingest: (line) => void reader.ingest(line) };
});

describeFlagUsageReaderContract('CloudWatchFlagUsageReader', () => {
  // Small pages, so every suite case crosses a NextToken.
  const cloudWatch = new SimulatedCloudWatchMetrics(2);
  return {
    reader: new CloudWatchFlagUsageReader(cloudWatch.client()),
    ingest: (line) => cloudWatch.ingest(line),
  };
});
