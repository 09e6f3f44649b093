/**
 * `TicketTracker` over AWS Systems Manager OpsCenter, the default. Each OpsItem carries the dedup key
 * twice: in `/aws/dedup` (so OpsCenter itself suppresses a duplicate while the first is Open or
 * InProgress) and in the searchable `stewardDedupKey`, which `listOpen` and `file` look up first so
 * the caller learns whether a ticket was created. `/aws/resources` links the parameter's ARN.
 */
import {
  CreateOpsItemCommand,
  DescribeOpsItemsCommand,
  type DescribeOpsItemsCommandOutput,
  type OpsItemDataValue,
  type OpsItemFilter,
  SSMClient,
  UpdateOpsItemCommand,
} from '@aws-sdk/client-ssm';
import type {
  OpenTicket,
  TicketRef,
  TicketRequest,
  TicketSeverity,
  TicketTracker,
} from '../../ports/ticket-tracker.ts';
import {
  TicketTrackerError,
  TrackerNotFoundError,
  TrackerRateLimitedError,
} from '../../ports/ticket-tracker.errors.ts';

export const OPSITEM_SOURCE = 'ConfigSteward';
const DEDUP_KEY = 'stewardDedupKey';

const SEVERITY: Record<TicketSeverity, string> = { critical: '1', high: '2', medium: '3', low: '4' };

/** OpsCenter accepts five categories; the platform's map onto them. */
const CATEGORY: Record<string, string> = {
  security: 'Security',
  rotation: 'Security',
  drift: 'Availability',
  validation: 'Availability',
  flags: 'Cost',
};

export interface OpsCenterTrackerOptions {
  /** For console links. @default process.env.AWS_REGION */
  readonly region?: string;
  /** @default ConfigSteward */
  readonly source?: string;
}

/**
 * @example
 * const tracker = new OpsCenterTicketTracker(new SSMClient({}));
 * const { ref, created } = await tracker.file(request);
 */
export class OpsCenterTicketTracker implements TicketTracker {
  private readonly source: string;
  private readonly region?: string;

  constructor(
    private readonly client: SSMClient = new SSMClient({}),
    options: OpsCenterTrackerOptions = {},
  ) {
    this.source = options.source ?? OPSITEM_SOURCE;
    this.region = options.region ?? process.env.AWS_REGION;
  }

  async file(request: TicketRequest): Promise<{ ref: TicketRef; created: boolean }> {
    const [existing] = await this.describe([
      {
        Key: 'OperationalData',
        Operator: 'Equal',
        Values: [JSON.stringify({ key: DEDUP_KEY, value: request.dedupKey })],
      },
    ]);
    if (existing) return { ref: existing.ref, created: false };
    const operationalData: Record<string, OpsItemDataValue> = {
      '/aws/dedup': { Type: 'SearchableString', Value: JSON.stringify({ dedupString: request.dedupKey }) },
      [DEDUP_KEY]: { Type: 'SearchableString', Value: request.dedupKey },
    };
    if (request.resourceArns?.length) {
      operationalData['/aws/resources'] = {
        Type: 'SearchableString',
        Value: JSON.stringify(request.resourceArns.map((arn) => ({ arn }))),
      };
    }
    if (request.data) {
      operationalData.stewardFinding = { Type: 'String', Value: JSON.stringify(request.data).slice(0, 4000) };
    }
    try {
      const { OpsItemId } = await this.client.send(
        new CreateOpsItemCommand({
          Title: request.title.slice(0, 1024),
          Description: request.body.slice(0, 2048),
          Source: this.source,
          Category: CATEGORY[request.category] ?? 'Availability',
          Severity: SEVERITY[request.severity],
          OperationalData: operationalData,
        }),
      );
      if (!OpsItemId) throw new TicketTrackerError('opscenter: CreateOpsItem returned no id', 'opscenter');
      return { ref: this.ref(OpsItemId), created: true };
    } catch (error) {
      // Raised when an OpsItem with the same dedup string is still open (a race with another run).
      const existingId = (error as { OpsItemId?: string }).OpsItemId;
      if ((error as Error).name === 'OpsItemAlreadyExistsException' && existingId) {
        return { ref: this.ref(existingId), created: false };
      }
      throw translate(error, 'CreateOpsItem');
    }
  }

  async listOpen(prefix = ''): Promise<OpenTicket[]> {
    const open = await this.describe([]);
    return open.filter((ticket) => ticket.dedupKey.startsWith(prefix));
  }

  async resolve(ref: TicketRef, comment: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateOpsItemCommand({
          OpsItemId: ref.id,
          Status: 'Resolved',
          OperationalData: { stewardResolution: { Type: 'String', Value: comment.slice(0, 4000) } },
        }),
      );
    } catch (error) {
      throw translate(error, 'UpdateOpsItem');
    }
  }

  /** Open or InProgress OpsItems of this source matching extra filters, with their dedup keys. */
  private async describe(extra: OpsItemFilter[]): Promise<OpenTicket[]> {
    const filters: OpsItemFilter[] = [
      { Key: 'Status', Operator: 'Equal', Values: ['Open', 'InProgress'] },
      { Key: 'Source', Operator: 'Equal', Values: [this.source] },
      ...extra,
    ];
    const result: OpenTicket[] = [];
    let token: string | undefined;
    do {
      let page: DescribeOpsItemsCommandOutput;
      try {
        page = await this.client.send(
          new DescribeOpsItemsCommand({ OpsItemFilters: filters, MaxResults: 50, NextToken: token }),
        );
      } catch (error) {
        throw translate(error, 'DescribeOpsItems');
      }
      for (const item of page.OpsItemSummaries ?? []) {
        const dedupKey = item.OperationalData?.[DEDUP_KEY]?.Value;
        if (item.OpsItemId && dedupKey) result.push({ dedupKey, ref: this.ref(item.OpsItemId) });
      }
      token = page.NextToken;
    } while (token);
    return result;
  }

  private ref(id: string): TicketRef {
    return this.region
      ? {
          tracker: 'opscenter',
          id,
          url: `https://${this.region}.console.aws.amazon.com/systems-manager/opsitems/${id}?region=${this.region}`,
        }
      : { tracker: 'opscenter', id };
  }
}

function translate(error: unknown, operation: string): Error {
  const name = (error as { name?: string }).name ?? 'Error';
  if (name === 'ThrottlingException' || name === 'TooManyRequestsException') {
    return new TrackerRateLimitedError('opscenter', 400, undefined, { cause: error });
  }
  if (name === 'OpsItemNotFoundException')
    return new TrackerNotFoundError('opscenter', 'OpsItem', 400, { cause: error });
  return new TicketTrackerError(`opscenter: ${operation} failed: ${name}`, 'opscenter', undefined, {
    cause: error,
  });
}
