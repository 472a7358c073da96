/**
 * Runs a synthesized Step Functions definition locally with `aws-local-stepfunctions`, its
 * Lambda tasks bound to in-process handler code.
 *
 * Why this interpreter: it executes the Amazon States Language in process (Choice, Pass, Map with
 * `ItemProcessor` and `ItemSelector`, Retry, Catch, `ResultPath`, the Context Object) and lets a
 * test bind each Task state to a local function, so the real handler runs with the exact payload
 * the definition builds. moto's Step Functions backend can execute definitions too, but its
 * Lambda tasks invoke moto's Lambda backend, which runs functions in Docker containers: there is
 * no way to point a task at handler code in the test's process.
 *
 * What it does not model: a Distributed Map's child executions run as in-process sub-machines
 * (same semantics for `ItemSelector`, `ItemsPath`, `MaxConcurrency` and failures, no item reader
 * or result writer), and a Task's `Resource` is not invoked (the binding replaces it).
 */
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { StateMachine } from 'aws-local-stepfunctions';

// The interpreter is built for Node.js 22 and calls Promise.withResolvers, which Node.js 20 (the
// oldest version this package supports) lacks: the standard behaviour, for the tests only.
if (typeof (Promise as any).withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value<T>() {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

/** The definition of a synthesized state machine, its function ARNs replaced by placeholders. */
export interface LocalDefinition {
  readonly definition: Record<string, any>;
  /** Placeholder ARN of each function the definition references, by the function's logical id. */
  readonly functionArns: Record<string, string>;
}

/**
 * Reads the definition of the state machine `logicalId` from the stack's template. Its
 * `Fn::Join` is rebuilt with `Fn::GetAtt [X, Arn]` replaced by a placeholder Lambda ARN named
 * after X and the pseudo parameters by the stack's values; any other token is an error.
 */
export function synthesizedDefinition(stack: Stack, logicalId: string): LocalDefinition {
  const template = Template.fromStack(stack).toJSON();
  const resource = template.Resources?.[logicalId];
  if (resource?.Type !== 'AWS::StepFunctions::StateMachine')
    throw new Error(`${logicalId} is not a state machine of stack ${stack.stackName}`);
  const functionArns: Record<string, string> = {};
  const pseudo: Record<string, string> = {
    'AWS::Partition': 'aws',
    'AWS::Region': stack.region,
    'AWS::AccountId': stack.account,
    'AWS::URLSuffix': 'amazonaws.com',
  };
  const part = (p: unknown): string => {
    if (typeof p === 'string') return p;
    const o = p as Record<string, any>;
    if (o['Fn::GetAtt'] && o['Fn::GetAtt'][1] === 'Arn') {
      const id = o['Fn::GetAtt'][0] as string;
      if (template.Resources?.[id]?.Type !== 'AWS::Lambda::Function')
        throw new Error(`the definition references ${id}, which is not a Lambda function`);
      return (functionArns[id] = `arn:aws:lambda:${stack.region}:${stack.account}:function:${id}`);
    }
    if (o.Ref && pseudo[o.Ref]) return pseudo[o.Ref];
    throw new Error(`the definition holds a token this helper cannot resolve: ${JSON.stringify(p)}`);
  };
  const raw = resource.Properties.DefinitionString;
  const text = typeof raw === 'string' ? raw : (raw['Fn::Join'][1] as unknown[]).map(part).join('');
  return { definition: JSON.parse(text), functionArns };
}

/**
 * The `Environment.Variables` a function was synthesized with; `{ Ref: X }` values are taken from
 * `refs[X]` (for example a reports bucket created in the stack, replaced by a stand bucket).
 */
export function synthesizedEnvironment(
  stack: Stack,
  functionLogicalId: string,
  refs: Record<string, string> = {},
): Record<string, string> {
  const fn = Template.fromStack(stack).toJSON().Resources?.[functionLogicalId];
  if (fn?.Type !== 'AWS::Lambda::Function') throw new Error(`${functionLogicalId} is not a Lambda function`);
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries<any>(fn.Properties.Environment?.Variables ?? {})) {
    if (typeof value === 'string') out[name] = value;
    else if (value?.Ref && refs[value.Ref] !== undefined) out[name] = refs[value.Ref];
    else throw new Error(`environment variable ${name} is a token with no replacement: ${JSON.stringify(value)}`);
  }
  return out;
}

/** Every Task state of a definition, nested Map and Parallel states included, with its Resource. */
export function taskStates(definition: Record<string, any>): { name: string; resource: string }[] {
  const out: { name: string; resource: string }[] = [];
  const walk = (machine: Record<string, any>) => {
    for (const [name, state] of Object.entries<any>(machine.States ?? {})) {
      if (state.Type === 'Task') out.push({ name, resource: state.Resource });
      if (state.Type === 'Map') walk(state.ItemProcessor ?? state.Iterator);
      if (state.Type === 'Parallel') for (const b of state.Branches) walk(b);
    }
  };
  walk(definition);
  return out;
}

/** One Lambda invocation the execution made. */
export interface Invocation {
  readonly state: string;
  readonly event: any;
  readonly result?: any;
  readonly error?: Error;
}

export type LocalLambda = (event: any, invocation: { state: string; count: number }) => Promise<unknown>;

export interface LocalRunOptions {
  /** A local function per placeholder function ARN; a Task whose Resource has none is an error. */
  readonly lambdas: Record<string, LocalLambda>;
  /** The execution's name (`$$.Execution.Name`). */
  readonly executionName: string;
  /** Pause before a retry, in milliseconds, for every Task state. @default 0 */
  readonly retryPauseMs?: number;
}

export interface LocalRunResult {
  readonly output?: any;
  /** The error that failed the execution. */
  readonly error?: Error;
  readonly invocations: Invocation[];
}

/**
 * Executes the definition (validated by the interpreter first) with `input`. Every Task state is
 * bound to the local function of its Resource; events and results cross a JSON round trip, as
 * they do through Lambda. Resolves with the output, or with the error that failed the run, once
 * every invocation has settled.
 */
export async function runLocally(
  definition: Record<string, any>,
  input: unknown,
  options: LocalRunOptions,
): Promise<LocalRunResult> {
  const machine = new StateMachine(definition as any);
  const invocations: Invocation[] = [];
  const counts = new Map<string, number>();
  /** Invocations still running: an execution that fails leaves them to finish, as Lambda does. */
  const inFlight: Promise<unknown>[] = [];
  const handlers: Record<string, (input: any) => Promise<any>> = {};
  const retryIntervalOverrides: Record<string, number> = {};
  for (const { name, resource } of taskStates(definition)) {
    const fn = options.lambdas[resource];
    if (!fn) throw new Error(`task state ${name} invokes ${resource}, which no local function is bound to`);
    retryIntervalOverrides[name] = options.retryPauseMs ?? 0;
    const invoke = async (raw: any) => {
      const event = JSON.parse(JSON.stringify(raw ?? null));
      const count = (counts.get(name) ?? 0) + 1;
      counts.set(name, count);
      try {
        const result = JSON.parse(JSON.stringify((await fn(event, { state: name, count })) ?? null));
        invocations.push({ state: name, event, result });
        return result;
      } catch (err) {
        invocations.push({ state: name, event, error: err as Error });
        throw err;
      }
    };
    handlers[name] = (raw: any) => {
      const call = invoke(raw);
      inFlight.push(call.catch(() => undefined));
      return call;
    };
  }
  const started = new Date().toISOString();
  const execution = machine.run(input as any, {
    overrides: { taskResourceLocalHandlers: handlers, retryIntervalOverrides },
    context: {
      Execution: {
        Id: `arn:aws:states:local:000000000000:execution:local:${options.executionName}`,
        Input: input,
        Name: options.executionName,
        StartTime: started,
      },
      StateMachine: { Id: 'arn:aws:states:local:000000000000:stateMachine:local', Name: 'local' },
    } as any,
  });
  let outcome: { output?: any; error?: Error };
  try {
    outcome = { output: await execution.result };
  } catch (err) {
    outcome = { error: err as Error };
  }
  // Wait for invocations an aborted branch left running, so none outlives the test.
  for (let settled = 0; settled < inFlight.length; settled = inFlight.length) await Promise.all(inFlight);
  return { ...outcome, invocations };
}
