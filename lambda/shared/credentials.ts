import { fromEnv } from '@aws-sdk/credential-provider-env';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

/**
 * The SDK's default credential chain, without loading it when its first link answers: static
 * keys in the environment are read directly, as the chain reads them, unless AWS_PROFILE is set
 * (the chain then skips the environment keys and uses the profile). Anything else (profiles,
 * SSO, web identity, container and instance metadata) loads the chain on first use.
 */
export function defaultCredentials(env: NodeJS.ProcessEnv = process.env): AwsCredentialIdentityProvider {
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY && !env.AWS_PROFILE) return fromEnv();
  let chain: Promise<AwsCredentialIdentityProvider> | undefined;
  return async (props) => {
    chain ??= import('@aws-sdk/credential-provider-node').then((m) => m.defaultProvider());
    return (await chain)(props);
  };
}
