import { App, AppProps } from 'aws-cdk-lib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The feature flags of cdk.json: `new App()` in a test does not read them by itself. */
export const CDK_JSON_CONTEXT: Record<string, unknown> = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8'),
).context;

/** An App with the project's feature flags, and no asset bundling unless a test asks for it. */
export function testApp(props: AppProps = {}): App {
  return new App({
    ...props,
    context: { ...CDK_JSON_CONTEXT, ...props.context },
  });
}
