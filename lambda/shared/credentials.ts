import { fromEnv } from '@aws-sdk/credential-provider-env';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

type ProviderModule = typeof import('@aws-sdk/credential-provider-node');

/**
 * The module's exports, however it was loaded: a CommonJS module imported from an ES module (the
 * bundled command line) arrives as `{ default: exports }`; under CommonJS (tests, the Lambda
 * bundles) the exports come as they are.
 */
export function providerExports(m: ProviderModule | { default: ProviderModule }): ProviderModule {
  return 'defaultProvider' in m && typeof m.defaultProvider === 'function'
    ? m
    : (m as { default: ProviderModule }).default;
}

/**
 * The SDK's whole default credential chain, the one code path every command, handler and client
 * of this library takes: environment keys, the shared config and credentials files (AWS_PROFILE,
 * `credential_process`, SSO), web identity, container and instance metadata. Static keys in the
 * environment are read directly, as the chain reads them, unless AWS_PROFILE is set (the chain
 * then skips the environment keys and uses the profile); anything else loads the chain on first use.
 */
export function defaultCredentials(env: NodeJS.ProcessEnv = process.env): AwsCredentialIdentityProvider {
  let chain: Promise<AwsCredentialIdentityProvider> | undefined;
  return async (props) => {
    if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY && !env.AWS_PROFILE) return fromEnv()(props);
    chain ??= import('@aws-sdk/credential-provider-node').then((m) => providerExports(m).defaultProvider());
    return (await chain)(props);
  };
}
