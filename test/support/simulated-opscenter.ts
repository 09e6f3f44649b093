/**
 * OpsCenter's documented OpsItem semantics behind aws-sdk-client-mock, so the TicketTracker contract
 * runs the real `OpsCenterTicketTracker` (its filters, paging and error translation). What the
 * adapter relies on is enforced as the service does it: CreateOpsItem refuses an item whose
 * `/aws/dedup` string matches one still Open or InProgress (OpsItemAlreadyExistsException naming it),
 * DescribeOpsItems applies every filter (Status, Source, OperationalData) and pages at most 50,
 * UpdateOpsItem on an unknown id raises OpsItemNotFoundException.
 */
import {
  CreateOpsItemCommand,
  type CreateOpsItemCommandInput,
  DescribeOpsItemsCommand,
  type DescribeOpsItemsCommandInput,
  OpsItemAlreadyExistsException,
  type OpsItemDataValue,
  type OpsItemFilter,
  OpsItemNotFoundException,
  type OpsItemStatus,
  SSMClient,
  UpdateOpsItemCommand,
  type UpdateOpsItemCommandInput,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { paged } from './simulated-ssm.ts';

interface OpsItem {
  readonly id: string;
  readonly source: string;
  status: OpsItemStatus;
  operationalData: Record<string, OpsItemDataValue>;
}

/** DescribeOpsItems' page-size maximum. */
const MAX_RESULTS = 50;
const OPEN: readonly string[] = ['Open', 'InProgress'];

function dedupString(data: Record<string, OpsItemDataValue> | undefined): string | undefined {
  const raw = data?.['/aws/dedup']?.Value;
  return raw ? (JSON.parse(raw) as { dedupString?: string }).dedupString : undefined;
}

export class SimulatedOpsCenter {
  private readonly items: OpsItem[] = [];

  /** An SSM client whose OpsItem calls this simulation answers. */
  client(): SSMClient {
    const client = new SSMClient({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    });
    const mock = mockClient(client);
    mock.on(CreateOpsItemCommand).callsFake(async (input) => this.create(input));
    mock.on(DescribeOpsItemsCommand).callsFake(async (input) => this.describe(input));
    mock.on(UpdateOpsItemCommand).callsFake(async (input) => this.update(input));
    return client;
  }

  private create(input: CreateOpsItemCommandInput) {
    const dedup = dedupString(input.OperationalData);
    const duplicate = dedup
      ? this.items.find((item) => OPEN.includes(item.status) && dedupString(item.operationalData) === dedup)
      : undefined;
    if (duplicate) {
      throw new OpsItemAlreadyExistsException({
        $metadata: { httpStatusCode: 400 },
        message: 'An OpsItem with the same dedup string is open',
        OpsItemId: duplicate.id,
      });
    }
    const id = `oi-${(this.items.length + 1).toString(16).padStart(12, '0')}`;
    this.items.push({
      id,
      source: input.Source!,
      status: 'Open',
      operationalData: { ...input.OperationalData },
    });
    return { OpsItemId: id };
  }

  private describe(input: DescribeOpsItemsCommandInput) {
    const matching = this.items.filter((item) => (input.OpsItemFilters ?? []).every((f) => matches(item, f)));
    const { page, next } = paged(matching, input.NextToken, input.MaxResults, MAX_RESULTS);
    return {
      OpsItemSummaries: page.map((item) => ({
        OpsItemId: item.id,
        Source: item.source,
        Status: item.status,
        OperationalData: item.operationalData,
      })),
      NextToken: next,
    };
  }

  private update(input: UpdateOpsItemCommandInput) {
    const item = this.items.find((candidate) => candidate.id === input.OpsItemId);
    if (!item)
      throw new OpsItemNotFoundException({ $metadata: { httpStatusCode: 400 }, message: 'not found' });
    if (input.Status) item.status = input.Status;
    item.operationalData = { ...item.operationalData, ...input.OperationalData };
    return {};
  }
}

/** The filters the adapter sends, with the `Equal` operator; any other is refused rather than ignored. */
function matches(item: OpsItem, filter: OpsItemFilter): boolean {
  if (filter.Operator !== 'Equal') throw new Error(`simulated OpsCenter: operator ${filter.Operator}`);
  const values = filter.Values ?? [];
  switch (filter.Key) {
    case 'Status':
      return values.includes(item.status);
    case 'Source':
      return values.includes(item.source);
    case 'OperationalData':
      return values.some((value) => {
        const { key, value: wanted } = JSON.parse(value) as { key: string; value: string };
        return item.operationalData[key]?.Value === wanted;
      });
    default:
      throw new Error(`simulated OpsCenter: filter ${filter.Key}`);
  }
}
