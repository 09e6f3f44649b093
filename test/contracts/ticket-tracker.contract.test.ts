import { GitHubTicketTracker } from '../../functions/adapters/tickets/github.ts';
import { JiraTicketTracker } from '../../functions/adapters/tickets/jira.ts';
import { OpsCenterTicketTracker } from '../../functions/adapters/tickets/opscenter.ts';
import { GitHubServer } from '../support/github-server.ts';
import { JiraServer } from '../support/jira-server.ts';
import { SimulatedOpsCenter } from '../support/simulated-opscenter.ts';
import { InMemoryTicketTracker } from '../support/recording-ports.ts';
import { describeTicketTrackerContract } from './ticket-tracker.contract.ts';

const noSleep = async () => undefined;

describeTicketTrackerContract('InMemoryTicketTracker', async () => ({
  tracker: new InMemoryTicketTracker(),
  stop: async () => undefined,
}));

describeTicketTrackerContract('GitHubTicketTracker', async () => {
  const server = await new GitHubServer().start();
  const tracker = new GitHubTicketTracker({
    owner: 'acme',
    repo: 'platform',
    apiUrl: server.url,
    token: async () => 'test-token',
    sleep: noSleep,
  });
  return { tracker, stop: () => server.stop() };
});

describeTicketTrackerContract('JiraTicketTracker', async () => {
  const server = await new JiraServer().start();
  const tracker = new JiraTicketTracker({
    baseUrl: server.url,
    project: 'OPS',
    credentials: async () => ({ email: 'bot@example.com', token: 'jira-token' }),
    sleep: noSleep,
  });
  return { tracker, stop: () => server.stop() };
});

describeTicketTrackerContract('OpsCenterTicketTracker', async () => ({
  tracker: new OpsCenterTicketTracker(new SimulatedOpsCenter().client(), { region: 'eu-west-1' }),
  stop: async () => undefined,
}));
