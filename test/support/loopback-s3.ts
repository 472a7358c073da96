/**
 * A loopback HTTP server standing in for the endpoints a test needs beside (or instead of) the
 * stand: answers S3 listings with empty pages, serves container credentials and STS web identity
 * answers, or misbehaves on purpose (never answers, 500 without a body, 403 AccessDenied). Every
 * request is recorded with its Authorization and session token headers.
 */
import http from 'node:http';
import { AddressInfo, Socket } from 'node:net';

export type LoopbackMode = 'ok' | 'silent' | 'http500' | 'denied';

export interface LoopbackRequest {
  readonly method: string;
  readonly url: string;
  readonly authorization?: string;
  readonly sessionToken?: string;
  readonly body: string;
}

export interface LoopbackServer {
  readonly endpoint: string;
  readonly requests: LoopbackRequest[];
  close(): Promise<void>;
}

export interface LoopbackCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

const EMPTY_LIST = (bucket: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket}</Name><Prefix></Prefix><KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>`;

export async function startLoopback(mode: LoopbackMode, creds?: LoopbackCredentials): Promise<LoopbackServer> {
  const requests: LoopbackRequest[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        authorization: req.headers.authorization,
        sessionToken: req.headers['x-amz-security-token'] as string | undefined,
        body,
      });
      if (mode === 'silent') return; // accepts, reads, never answers
      if (req.url === '/container-credentials' && creds) {
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            AccessKeyId: creds.accessKeyId,
            SecretAccessKey: creds.secretAccessKey,
            Token: creds.sessionToken,
            Expiration: new Date(Date.now() + 3600_000).toISOString(),
          }),
        );
        return;
      }
      if (body.includes('Action=AssumeRoleWithWebIdentity') && creds) {
        res.setHeader('content-type', 'text/xml');
        res.end(
          `<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>${creds.accessKeyId}</AccessKeyId><SecretAccessKey>${creds.secretAccessKey}</SecretAccessKey><SessionToken>${creds.sessionToken}</SessionToken><Expiration>${new Date(Date.now() + 3600_000).toISOString()}</Expiration></Credentials><SubjectFromWebIdentityToken>test</SubjectFromWebIdentityToken><AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/test/s</Arn><AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser></AssumeRoleWithWebIdentityResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleWithWebIdentityResponse>`,
        );
        return;
      }
      if (mode === 'http500') {
        res.statusCode = 500;
        res.end();
        return;
      }
      if (mode === 'denied' && req.headers['x-amz-target']) {
        // The JSON protocols (SSM, CloudWatch) answer errors as JSON.
        res.statusCode = 403;
        res.setHeader('content-type', 'application/x-amz-json-1.1');
        res.end(JSON.stringify({ __type: 'AccessDeniedException', message: 'User is not authorized' }));
        return;
      }
      if (mode === 'denied') {
        res.statusCode = 403;
        res.setHeader('content-type', 'application/xml');
        res.end(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>r</RequestId></Error>',
        );
        return;
      }
      const bucket = (req.url ?? '/').split('?')[0].split('/')[1] ?? '';
      res.setHeader('content-type', 'application/xml');
      res.end(EMPTY_LIST(bucket));
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
