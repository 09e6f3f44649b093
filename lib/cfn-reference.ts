/**
 * A resolved CloudFormation value rendered as one string, the way cdk-nag renders a resource in its
 * finding ids (`AwsSolutions-IAM5[Resource::<LogicalId.Arn>/*]`): cdk-nag keeps that function internal,
 * and an acknowledgement must name the finding exactly.
 */

/**
 * Strings as they are (with `${…}` of `Fn::Sub` as `<…>`), `Fn::Join` joined, `Ref` as `<Name>`,
 * `Fn::GetAtt` as `<LogicalId.Attribute>`, `Fn::Sub` and `Fn::ImportValue` as their argument; anything
 * else as its JSON.
 *
 * @example
 * flattenCfnReference({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:*']] });
 * // 'arn:<AWS::Partition>:ssm:*'
 */
export function flattenCfnReference(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (isIntrinsic(value, 'Fn::Join')) {
    const [delimiter, items] = value['Fn::Join'] as [string, unknown[]];
    return items.map(flattenCfnReference).join(delimiter);
  }
  if (isIntrinsic(value, 'Fn::Sub')) return flattenCfnReference(value['Fn::Sub']);
  if (isIntrinsic(value, 'Fn::GetAtt')) {
    const [resource, attribute] = value['Fn::GetAtt'] as [unknown, unknown];
    return `<${flattenCfnReference(resource)}.${flattenCfnReference(attribute)}>`;
  }
  if (isIntrinsic(value, 'Fn::ImportValue')) return flattenCfnReference(value['Fn::ImportValue']);
  if (isIntrinsic(value, 'Ref')) return `<${flattenCfnReference(value.Ref)}>`;
  return JSON.stringify(value);
}

// Like cdk-nag: an object is the intrinsic whose key it holds with a truthy value.
function isIntrinsic<K extends string>(value: unknown, key: K): value is Record<K, unknown> {
  return typeof value === 'object' && value !== null && Boolean((value as Record<string, unknown>)[key]);
}
