import type { Client, MiddlewareStack } from '@smithy/types';
import { annotateError } from './errors';
import { RequestTimedOutError, TIMEOUT_ATTEMPTS } from './timeouts';

/** The HTTP handler settings every SDK client of the library is built with. */
export function requestHandlerOptions(timeoutMs: number): {
  requestTimeout: number;
  connectionTimeout: number;
  throwOnRequestTimeout: boolean;
} {
  // Without throwOnRequestTimeout the handler only logs a warning and keeps waiting.
  return { requestTimeout: timeoutMs, connectionTimeout: timeoutMs, throwOnRequestTimeout: true };
}

function isTimeout(err: unknown): boolean {
  const e = err as { name?: string; code?: string; message?: string };
  return e?.name === 'TimeoutError' || e?.code === 'ETIMEDOUT' || /timed out/i.test(e?.message ?? '');
}

/**
 * Adds to an SDK client: (1) a failed operation carries its operation, resource and the access
 * key that signed it (for messages naming principal, action and resource); (2) an attempt that
 * timed out for the TIMEOUT_ATTEMPTS-th time ends the operation instead of being retried again.
 */
export function addFailureContext(client: Client<any, any, any>, service: string, timeoutMs: number): void {
  const stack = client.middlewareStack as MiddlewareStack<any, any>;
  stack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        const input = (args.input ?? {}) as Record<string, unknown>;
        const resource =
          typeof input.Bucket === 'string'
            ? `${input.Bucket}${typeof input.Key === 'string' ? `/${input.Key}` : ''}`
            : typeof input.Name === 'string'
              ? input.Name
              : Array.isArray(input.AlarmNames)
                ? input.AlarmNames.join(', ')
                : typeof input.Mrap === 'string'
                  ? input.Mrap
                  : undefined;
        annotateError(err, {
          operation: context.commandName,
          service,
          resource,
          principal: (context as { cdkS3DrPrincipal?: string }).cdkS3DrPrincipal,
        });
        throw err;
      }
    },
    { step: 'initialize', name: 'cdkS3DrFailureContext', override: true },
  );
  stack.add(
    (next, context) => async (args) => {
      const auth = String((args.request as { headers?: Record<string, string> })?.headers?.authorization ?? '');
      const principal = /Credential=([^/,\s]+)\//.exec(auth)?.[1];
      if (principal) (context as { cdkS3DrPrincipal?: string }).cdkS3DrPrincipal = principal;
      try {
        return await next(args);
      } catch (err) {
        if (!isTimeout(err)) throw err;
        const c = context as { cdkS3DrTimeouts?: number };
        c.cdkS3DrTimeouts = (c.cdkS3DrTimeouts ?? 0) + 1;
        if (c.cdkS3DrTimeouts >= TIMEOUT_ATTEMPTS) {
          const r = args.request as { method?: string; hostname?: string; port?: number } | undefined;
          throw new RequestTimedOutError(
            timeoutMs,
            c.cdkS3DrTimeouts,
            r?.hostname ? `${r.method ?? ''} ${r.hostname}${r.port ? `:${r.port}` : ''}`.trim() : undefined,
          );
        }
        throw err;
      }
    },
    { step: 'deserialize', name: 'cdkS3DrTimeoutAttempts', override: true },
  );
}
