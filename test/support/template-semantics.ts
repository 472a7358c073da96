/**
 * What a CloudFormation template grants and configures, independent of how aws-cdk-lib happened to
 * render it: the partition resolved, adjacent literal parts of `Fn::Join` merged, lists sorted, and
 * every policy statement expanded into one line per effect, action, resource and condition set.
 * Two templates with the same semantics give the same set, whichever feature flags shaped them
 * (`@aws-cdk/aws-iam:minimizePolicies` merges statements, `@aws-cdk/core:target-partitions` writes
 * the partition as a literal).
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const canonical = (x: Json): string => JSON.stringify(normalize(x));

function normalize(x: Json): Json {
  if (Array.isArray(x)) {
    return x.map(normalize).sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1));
  }
  if (x === null || typeof x !== 'object') return x;
  if (x.Ref === 'AWS::Partition' && Object.keys(x).length === 1) return 'aws';
  const join = x['Fn::Join'];
  if (Object.keys(x).length === 1 && Array.isArray(join) && join[0] === '' && Array.isArray(join[1])) {
    const parts: Json[] = [];
    for (const part of join[1].map(normalize)) {
      const last = parts[parts.length - 1];
      if (typeof part === 'string' && typeof last === 'string') parts[parts.length - 1] = last + part;
      else parts.push(part);
    }
    return parts.length === 1 ? parts[0] : { 'Fn::Join': ['', parts] };
  }
  return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, normalize(v)]));
}

const asList = (x: Json | undefined): Json[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
const isPolicyDocument = (x: Json): x is { [key: string]: Json } =>
  typeof x === 'object' && x !== null && !Array.isArray(x) && 'Statement' in x && 'Version' in x;

/** The template's semantics as a sorted list of lines. */
export function templateSemantics(template: { Resources?: Record<string, { [key: string]: Json }> }): string[] {
  const lines = new Set<string>();
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    const { Properties = {}, Metadata: _metadata, ...attributes } = resource;
    const statements = (x: Json, path: string): Json => {
      if (isPolicyDocument(x)) {
        for (const statement of asList(x.Statement) as { [key: string]: Json }[]) {
          const { Sid: _sid, Action, NotAction, Resource, NotResource, ...rest } = statement;
          const actionKey = Action !== undefined ? 'Action' : 'NotAction';
          const resourceKey = Resource !== undefined ? 'Resource' : NotResource !== undefined ? 'NotResource' : '-';
          for (const action of asList(Action ?? NotAction)) {
            for (const res of resourceKey === '-' ? [null] : asList(Resource ?? NotResource)) {
              lines.add(
                `${logicalId} ${path} ${actionKey}=${canonical(action)} ${resourceKey}=${canonical(res)} ${canonical(rest)}`,
              );
            }
          }
        }
        return '<policy>';
      }
      if (Array.isArray(x)) return x.map((v) => statements(v, `${path}[]`));
      if (x !== null && typeof x === 'object') {
        return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, statements(v as Json, `${path}.${k}`)]));
      }
      return x;
    };
    const rest = statements(Properties, '');
    // The policy's name is derived from the statements aws-cdk-lib merged into it.
    if (rest && typeof rest === 'object' && !Array.isArray(rest)) delete rest.PolicyName;
    lines.add(`${logicalId} ${canonical(attributes)} ${canonical(rest)}`);
  }
  return [...lines].sort();
}
