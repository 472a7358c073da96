import type { S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { createHash, createHmac } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import { decodeXmlText, parseListObjectsV2, parseListObjectVersions, RawListPage } from './list-xml';
import { defaultCredentials } from './credentials';
import { annotateError } from './errors';
import { isNetworkError } from './network-errors';
import { clientSettings, RequestStats, S3ClientOptions } from './s3-options';
import { RequestTimedOutError, requestTimeoutMs, TIMEOUT_ATTEMPTS } from './timeouts';

/**
 * The bulk requests of audits (listings, HEADs, one-key version lookups) and drills (server-side
 * copies) sent without the SDK's generic machinery: its XML deserializer took about 80% of an
 * audit's CPU time, a CopyObject through the SDK costs 3-4 ms of CPU (1.2-1.6 ms here), and
 * loading it delays the first request of a command-line run. Requests are signed with the SDK's
 * own SigV4 signer and the client's credentials, sent on keep-alive connections, retried like
 * the SDK's standard mode (exponential backoff with full jitter on throttling, 5xx and dropped
 * connections), counted in the same `RequestStats`, and listings are parsed by the audit's
 * positional parser.
 */

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 64 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret
      ? createHmac(
          'sha256',
          typeof secret === 'string'
            ? secret
            : ArrayBuffer.isView(secret)
              ? new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength)
              : new Uint8Array(secret),
        )
      : createHash('sha256');
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    if (typeof data === 'string') this.hash.update(data, 'utf8');
    else if (data instanceof ArrayBuffer) this.hash.update(new Uint8Array(data));
    else this.hash.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
}

export interface ListV2Params {
  readonly bucket: string;
  readonly prefix?: string;
  readonly maxKeys: number;
  readonly continuationToken?: string;
  readonly startAfter?: string;
  /** Rolls keys holding it (after the prefix) up into CommonPrefixes. */
  readonly delimiter?: string;
}

export interface ListVersionsParams {
  readonly bucket: string;
  readonly prefix?: string;
  readonly maxKeys: number;
  readonly keyMarker?: string;
  readonly versionIdMarker?: string;
}

/** An S3 error answered by the server, shaped like the SDK's (`name` is the S3 error code). */
export class S3ResponseError extends Error {
  readonly $metadata: { httpStatusCode: number; attempts: number };
  constructor(code: string, message: string, status: number, attempts: number) {
    super(message || code);
    this.name = code;
    this.$metadata = { httpStatusCode: status, attempts };
  }
}

const RETRYABLE_CODES = new Set([
  'SlowDown',
  'Throttling',
  'ThrottlingException',
  'RequestTimeout',
  'InternalError',
  'ServiceUnavailable',
  'RequestTimeTooSkewed',
]);

export class RawS3 {
  private readonly signer: SignatureV4;

  constructor(
    private readonly region: string,
    private readonly endpoint: URL | undefined,
    credentials: AwsCredentialIdentityProvider | S3Client['config']['credentials'],
    private readonly maxAttempts: number,
    private readonly stats?: RequestStats,
    /** Milliseconds one attempt may wait for an answer. */
    private readonly timeoutMs = requestTimeoutMs(),
  ) {
    this.signer = new SignatureV4({
      service: 's3',
      region,
      credentials,
      sha256: NodeSha256,
      uriEscapePath: false,
      applyChecksum: false,
    });
  }

  /** The reader for a client made by `createS3Client`; undefined for other clients (they use the SDK). */
  static for(client: S3Client): RawS3 | undefined {
    const s = clientSettings(client);
    if (!s) return undefined;
    return new RawS3(
      s.region,
      s.endpoint ? new URL(s.endpoint) : undefined,
      client.config.credentials,
      s.maxAttempts ?? 10,
      s.stats,
      s.requestTimeoutMs,
    );
  }

  /** A reader from client options alone, without an SDK client: credentials from the default chain. */
  static fromOptions(o: S3ClientOptions): RawS3 {
    return new RawS3(
      o.region,
      o.endpoint ? new URL(o.endpoint) : undefined,
      o.credentials ?? defaultCredentials(),
      o.maxAttempts ?? 10,
      o.stats,
      o.requestTimeoutMs,
    );
  }

  async listObjectsV2(p: ListV2Params): Promise<RawListPage> {
    return parseListObjectsV2(await this.listObjectsV2Body(p));
  }

  /** The response body of one ListObjectsV2 request, unparsed bytes (see `peekListObjectsV2`). */
  async listObjectsV2Body(p: ListV2Params): Promise<Buffer> {
    const query: Record<string, string> = { 'list-type': '2', 'encoding-type': 'url', 'max-keys': String(p.maxKeys) };
    if (p.prefix) query.prefix = p.prefix;
    if (p.continuationToken !== undefined) query['continuation-token'] = p.continuationToken;
    if (p.startAfter !== undefined) query['start-after'] = p.startAfter;
    if (p.delimiter !== undefined) query.delimiter = p.delimiter;
    return this.get('ListObjectsV2Command', p.bucket, query);
  }

  async listObjectVersions(p: ListVersionsParams): Promise<RawListPage> {
    const query: Record<string, string> = { versions: '', 'encoding-type': 'url', 'max-keys': String(p.maxKeys) };
    if (p.prefix) query.prefix = p.prefix;
    if (p.keyMarker !== undefined) query['key-marker'] = p.keyMarker;
    if (p.versionIdMarker !== undefined) query['version-id-marker'] = p.versionIdMarker;
    return parseListObjectVersions(await this.get('ListObjectVersionsCommand', p.bucket, query));
  }

  /**
   * HeadObject with checksum mode on: the response headers (lower case). A missing object or
   * version is an S3ResponseError named NotFound (HEAD answers carry no body).
   */
  async headObject(bucket: string, key: string, versionId?: string): Promise<Record<string, string>> {
    const query: Record<string, string> = {};
    if (versionId !== undefined) query.versionId = versionId;
    const path = '/' + key.split('/').map(enc).join('/');
    const res = await this.request('HeadObjectCommand', 'HEAD', bucket, query, path, {
      'x-amz-checksum-mode': 'ENABLED',
    });
    return res.headers;
  }

  /**
   * CopyObject of `source` (`bucket/url-encoded-key[?versionId=...]`, as the SDK's CopySource)
   * to `bucket/key`, optionally pinned to the source's ETag (`x-amz-copy-source-if-match`). An
   * error S3 embeds in a 200 answer is thrown like any other (and retried when it is retryable).
   */
  async copyObject(bucket: string, key: string, source: string, ifMatch?: string): Promise<CopyObjectResult> {
    const headers: Record<string, string> = { 'x-amz-copy-source': source, 'content-length': '0' };
    if (ifMatch !== undefined) headers['x-amz-copy-source-if-match'] = ifMatch;
    const path = '/' + key.split('/').map(enc).join('/');
    const res = await this.request('CopyObjectCommand', 'PUT', bucket, {}, path, headers);
    return {
      etag: parseCopyObjectResult(res.body).etag,
      versionId: res.headers['x-amz-version-id'],
      copySourceVersionId: res.headers['x-amz-copy-source-version-id'],
    };
  }

  private target(bucket: string): { protocol: string; hostname: string; port?: number; path: string } {
    if (this.endpoint) {
      const base = this.endpoint.pathname.replace(/\/$/, '');
      return {
        protocol: this.endpoint.protocol,
        hostname: this.endpoint.hostname,
        port: this.endpoint.port ? Number(this.endpoint.port) : undefined,
        path: `${base}/${bucket}`,
      };
    }
    const suffix = this.region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com';
    // Virtual-hosted style, except for names with dots (they would not match the TLS certificate).
    return bucket.includes('.')
      ? { protocol: 'https:', hostname: `s3.${this.region}.${suffix}`, path: `/${bucket}` }
      : { protocol: 'https:', hostname: `${bucket}.s3.${this.region}.${suffix}`, path: '/' };
  }

  private async get(operation: string, bucket: string, query: Record<string, string>): Promise<Buffer> {
    return (await this.request(operation, 'GET', bucket, query)).body;
  }

  private async request(
    operation: string,
    method: 'GET' | 'HEAD' | 'PUT',
    bucket: string,
    query: Record<string, string>,
    keyPath = '',
    extraHeaders: Record<string, string> = {},
  ): Promise<Response> {
    const stats = this.stats;
    if (stats) {
      stats.operations++;
      stats.byOperation[operation] ??= 0;
    }
    const t = this.target(bucket);
    // The key's path follows the bucket's (virtual-hosted style: the key is the whole path).
    const path = keyPath ? (t.path === '/' ? keyPath : t.path + keyPath) : t.path;
    let timeouts = 0;
    let principal: string | undefined;
    for (let attempt = 1; ; attempt++) {
      if (stats) {
        stats.requests++;
        stats.byOperation[operation]++;
      }
      let retryable: boolean;
      let failure: Error;
      try {
        const host = t.port ? `${t.hostname}:${t.port}` : t.hostname;
        const signed = await this.signer.sign({
          method,
          protocol: t.protocol,
          hostname: t.hostname,
          port: t.port,
          path,
          query,
          headers: { host, 'x-amz-content-sha256': EMPTY_SHA256, ...extraHeaders },
        });
        principal = /Credential=([^/,\s]+)\//.exec(String(signed.headers.authorization ?? ''))?.[1];
        const res = await send(method, { ...t, path }, query, signed.headers as Record<string, string>, this.timeoutMs);
        // CopyObject may answer 200 and put an error in the body (S3 API reference).
        const errorIn200 = method === 'PUT' && res.status === 200 && embedsError(res.body);
        if (res.status >= 200 && res.status < 300 && !errorIn200) return res;
        const text = res.body.toString('utf8');
        const code =
          /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ??
          (res.status === 404 ? 'NotFound' : res.status === 403 ? 'Forbidden' : `Http${res.status}`);
        const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? '';
        failure = new S3ResponseError(code, message, res.status, attempt);
        retryable = res.status >= 500 || res.status === 429 || RETRYABLE_CODES.has(code);
      } catch (err) {
        failure = err as Error;
        // Dropped connections, resets, refusals and timeouts are retried; a missing credential is
        // not; an attempt that got no answer is tried TIMEOUT_ATTEMPTS times at most.
        retryable = isNetworkError(err);
        if ((err as { code?: string }).code === 'CDK_S3_DR_TIMEOUT' && ++timeouts >= TIMEOUT_ATTEMPTS) {
          failure = new RequestTimedOutError(
            this.timeoutMs,
            timeouts,
            `${method} ${t.hostname}${t.port ? `:${t.port}` : ''}`,
          );
          retryable = false;
        }
      }
      if (!retryable || attempt >= this.maxAttempts) {
        annotateError(failure, {
          operation,
          service: 's3',
          resource: `${bucket}${keyPath ? `/${decodeURIComponent(keyPath.slice(1))}` : ''}`,
          principal,
        });
        throw failure;
      }
      // Standard mode: exponential backoff with full jitter, base 100 ms, capped at 20 s.
      await new Promise((r) => setTimeout(r, Math.random() * Math.min(20_000, 100 * 2 ** attempt)));
    }
  }
}

interface Response {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** Kept as bytes: a listing page as a string would be a large V8 object (see ListBody). */
  readonly body: Buffer;
}

/** RFC 3986 encoding, as SigV4 signs query strings. */
const enc = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

export interface CopyObjectResult {
  /** The new object's ETag, quotes included as S3 returns it. */
  readonly etag?: string;
  /** The version id the copy wrote (versioned target; some servers do not return it). */
  readonly versionId?: string;
  /** The version id of the copied source (versioned source; some servers do not return it). */
  readonly copySourceVersionId?: string;
}

/** True when a 200 answer's body is an S3 `<Error>` document rather than the operation's result. */
export function embedsError(body: Buffer): boolean {
  const head = body.subarray(0, 200).toString('utf8');
  return /^(<\?xml[^>]*\?>\s*)?<Error>/.test(head.trimStart());
}

/** The fields of a `<CopyObjectResult>` document (entities decoded). */
export function parseCopyObjectResult(body: Buffer | string): { etag?: string; lastModified?: string } {
  const text = typeof body === 'string' ? body : body.toString('utf8');
  const field = (name: string) => {
    const m = new RegExp(`<${name}>([^<]*)</${name}>`).exec(text);
    return m ? decodeXmlText(m[1]) : undefined;
  };
  return { etag: field('ETag'), lastModified: field('LastModified') };
}

function send(
  method: 'GET' | 'HEAD' | 'PUT',
  t: { protocol: string; hostname: string; port?: number; path: string },
  query: Record<string, string>,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<Response> {
  const qs = Object.keys(query)
    .sort()
    .map((k) => (query[k] === '' ? enc(k) : `${enc(k)}=${enc(query[k])}`))
    .join('&');
  const lib = t.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      {
        method,
        hostname: t.hostname,
        port: t.port,
        path: qs ? `${t.path}?${qs}` : t.path,
        headers,
        agent: t.protocol === 'http:' ? agents.http : agents.https,
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const h: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') h[k] = v;
          resolve({ status: res.statusCode ?? 0, headers: h, body: Buffer.concat(chunks) });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () =>
      req.destroy(
        Object.assign(new Error(`S3 ${method} request timed out after ${timeoutMs / 1000} s`), {
          code: 'CDK_S3_DR_TIMEOUT',
        }),
      ),
    );
    req.on('error', reject);
    req.end();
  });
}
