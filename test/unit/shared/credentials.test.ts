import * as providerNode from '@aws-sdk/credential-provider-node';
import { defaultCredentials, providerExports } from '../../../lambda/shared/credentials';

describe('defaultCredentials', () => {
  const keys = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_SESSION_TOKEN: 'token' };

  test('static keys in the environment are used as the SDK chain uses them, session token included', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, keys);
    delete process.env.AWS_PROFILE;
    try {
      await expect(defaultCredentials()()).resolves.toMatchObject({
        accessKeyId: 'AKIDEXAMPLE',
        secretAccessKey: 'secret',
        sessionToken: 'token',
      });
    } finally {
      process.env = saved;
    }
  });

  test('with AWS_PROFILE set the SDK chain decides, as it does for its own clients (the profile wins)', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, keys, {
      AWS_PROFILE: 'cdk-s3-dr-no-such-profile',
      AWS_CONFIG_FILE: '/nonexistent/config',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
      AWS_EC2_METADATA_DISABLED: 'true',
    });
    try {
      // The chain skips the environment keys when a profile is named, and the profile does not exist.
      await expect(defaultCredentials()()).rejects.toThrow(/cdk-s3-dr-no-such-profile|Could not load credentials/);
    } finally {
      process.env = saved;
    }
  });

  test('the provider module is found however it was loaded (ES module namespace of a CommonJS module, or CommonJS)', () => {
    // The bundled command line imports the CommonJS provider from an ES module: its exports arrive as `default`.
    expect(providerExports({ default: providerNode } as never).defaultProvider).toBe(providerNode.defaultProvider);
    expect(providerExports(providerNode).defaultProvider).toBe(providerNode.defaultProvider);
  });
});
