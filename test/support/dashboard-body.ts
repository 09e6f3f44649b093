/**
 * A synthesized `AWS::CloudWatch::Dashboard` body as the JSON CloudWatch would receive, with its
 * CloudFormation tokens replaced by readable stand-ins: `Ref`s of pseudo parameters by the values
 * given, other `Ref`s by `<LogicalId>`, `Fn::GetAtt`s by `<LogicalId.Attribute>`.
 */

/** What stands in for the stack's pseudo parameters. */
export interface PseudoParameters {
  readonly region: string;
  readonly account: string;
  readonly partition: string;
}

export const EXAMPLE_PSEUDO_PARAMETERS: PseudoParameters = {
  region: 'eu-west-1',
  account: '123456789012',
  partition: 'aws',
};

/** The widgets of a rendered body, loosely typed: tests pick at `properties`. */
export interface DashboardBody {
  readonly start?: string;
  readonly widgets: readonly DashboardWidget[];
}

export interface DashboardWidget {
  readonly type: string;
  readonly width: number;
  readonly height: number;
  readonly x: number;
  readonly y: number;
  readonly properties: Record<string, unknown> & {
    readonly title?: string;
    readonly metrics?: readonly (readonly unknown[])[];
    readonly annotations?: { readonly alarms?: readonly string[] };
    readonly query?: string;
    readonly markdown?: string;
  };
}

/**
 * @example
 * const body = renderDashboardBody(template.Resources[id].Properties.DashboardBody);
 * body.widgets.filter((w) => w.type === 'metric');
 */
export function renderDashboardBody(
  body: unknown,
  pseudo: PseudoParameters = EXAMPLE_PSEUDO_PARAMETERS,
): DashboardBody {
  return JSON.parse(renderTokens(body, pseudo)) as DashboardBody;
}

/** Any CloudFormation string value (`Fn::Join` of strings, `Ref`s and `Fn::GetAtt`s) as text. */
export function renderTokens(token: unknown, pseudo: PseudoParameters = EXAMPLE_PSEUDO_PARAMETERS): string {
  return renderToken(token, pseudo);
}

function renderToken(token: unknown, pseudo: PseudoParameters): string {
  if (typeof token === 'string') return token;
  if (token && typeof token === 'object') {
    const [[intrinsic, argument]] = Object.entries(token) as [[string, unknown]];
    if (intrinsic === 'Fn::Join') {
      const [separator, parts] = argument as [string, unknown[]];
      return parts.map((part) => renderToken(part, pseudo)).join(separator);
    }
    if (intrinsic === 'Ref') {
      const pseudoValues: Record<string, string> = {
        'AWS::Region': pseudo.region,
        'AWS::AccountId': pseudo.account,
        'AWS::Partition': pseudo.partition,
      };
      return pseudoValues[argument as string] ?? `<${argument as string}>`;
    }
    if (intrinsic === 'Fn::GetAtt') {
      const [logicalId, attribute] = argument as [string, string];
      return `<${logicalId}.${attribute}>`;
    }
  }
  throw new Error(`dashboard-body: cannot render ${JSON.stringify(token)}`);
}
