/**
 * The CloudFormation custom-resource protocol for a Lambda that is its own service token: parse the
 * request, run the work, and always answer on the presigned ResponseURL (a missing answer leaves
 * the stack waiting for an hour). A request whose envelope cannot be read cannot be answered, so it
 * throws; a request with bad properties is answered FAILED.
 */
import * as z from 'zod/mini';

const envelope = z.looseObject({
  RequestType: z.enum(['Create', 'Update', 'Delete']),
  ResponseURL: z.url(),
  StackId: z.string(),
  RequestId: z.string(),
  LogicalResourceId: z.string(),
  PhysicalResourceId: z.optional(z.string()),
  ResourceProperties: z.optional(z.record(z.string(), z.unknown())),
});
export type CustomResourceRequest = z.output<typeof envelope>;

export interface CustomResourceOutcome {
  readonly status: 'SUCCESS' | 'FAILED';
  readonly reason: string;
}

/**
 * @example
 * await answerCustomResource(event, 'config-desired-parameters', async (request) => ({ status: 'SUCCESS', reason: 'done' }));
 */
export async function answerCustomResource(
  raw: unknown,
  defaultPhysicalId: string,
  work: (request: CustomResourceRequest) => Promise<CustomResourceOutcome>,
): Promise<CustomResourceOutcome> {
  const parsed = envelope.safeParse(raw);
  if (!parsed.success) {
    throw new Error(
      `not a CloudFormation custom resource request: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}`,
    );
  }
  const request = parsed.data;
  let outcome: CustomResourceOutcome;
  try {
    outcome = await work(request);
  } catch (error) {
    outcome = { status: 'FAILED', reason: `${(error as Error).name}: ${(error as Error).message}` };
  }
  const body = JSON.stringify({
    Status: outcome.status,
    Reason: outcome.reason.slice(0, 1000),
    PhysicalResourceId: request.PhysicalResourceId ?? defaultPhysicalId,
    StackId: request.StackId,
    RequestId: request.RequestId,
    LogicalResourceId: request.LogicalResourceId,
  });
  // The presigned URL is signed for an empty content type.
  const response = await fetch(request.ResponseURL, { method: 'PUT', body, headers: { 'content-type': '' } });
  if (!response.ok) throw new Error(`CloudFormation rejected the answer: HTTP ${response.status}`);
  return outcome;
}
