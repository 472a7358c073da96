/**
 * A CloudFormation value (a string, or an intrinsic such as `Fn::Join`, `Fn::GetAtt`, `Ref`) as
 * cdk-nag spells it in a granular finding id, for example `<DataBucketE3889A50.Arn>/*`: joins
 * flattened, `${...}` of `Fn::Sub` and references written as `<...>`, anything else as JSON.
 * cdk-nag keeps this function internal, so it is restated here; the nag tests check that every
 * acknowledgement this library writes matches a finding cdk-nag really reports.
 */
export function flattenCfnReference(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value.replace(/\${/g, '<').replace(/}/g, '>');
  const node = value as Record<string, unknown>;
  if (node['Fn::Join']) {
    const [delimiter, items] = node['Fn::Join'] as [string, unknown[]];
    return items.map(flattenCfnReference).join(delimiter);
  }
  if (node['Fn::Sub']) return flattenCfnReference(node['Fn::Sub']);
  if (node['Fn::GetAtt']) {
    const [resource, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
    return `<${flattenCfnReference(resource)}.${flattenCfnReference(attribute)}>`;
  }
  if (node['Fn::ImportValue']) return flattenCfnReference(node['Fn::ImportValue']);
  if (node.Ref) return `<${flattenCfnReference(node.Ref)}>`;
  return JSON.stringify(value);
}
