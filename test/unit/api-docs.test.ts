/**
 * The public API as jsii sees it (the assembly `.jsii` the build writes, which API.md and the
 * Python, Java, .NET and Go packages are generated from): every type and member has a doc comment,
 * every optional prop documents its default, the enums carry the handlers' values, and nothing
 * but the constructs and their props, enums and helpers is exported.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as audit from '../../lambda/audit/contract';
import * as drill from '../../lambda/drill/contract';
import * as failover from '../../lambda/failover/contract';
import * as lib from '../../lib';

interface Docs {
  readonly summary?: string;
  readonly default?: string;
}
interface Member {
  readonly name: string;
  readonly docs?: Docs;
  readonly optional?: boolean;
  readonly overrides?: string;
}
interface JsiiType {
  readonly kind: 'class' | 'interface' | 'enum';
  readonly datatype?: boolean;
  readonly docs?: Docs;
  readonly properties?: Member[];
  readonly methods?: Member[];
  readonly members?: Member[];
}

const ASSEMBLY = join(__dirname, '..', '..', '.jsii');

describe('the jsii assembly', () => {
  let types: Record<string, JsiiType>;
  beforeAll(() => {
    if (!existsSync(ASSEMBLY)) throw new Error('.jsii is missing: run `npm run build` (npm ci runs it as prepare)');
    types = JSON.parse(readFileSync(ASSEMBLY, 'utf8')).types;
  });

  test('every public type and member has a doc comment, and every optional prop its @default', () => {
    const missing: string[] = [];
    for (const [fqn, t] of Object.entries(types)) {
      const name = fqn.replace(/^cdk-s3-dr\./, '');
      if (!t.docs?.summary) missing.push(`${name}: no doc comment`);
      for (const p of t.properties ?? []) {
        if (p.overrides) continue;
        if (!p.docs?.summary) missing.push(`${name}.${p.name}: no doc comment`);
        if (t.datatype && p.optional && p.docs?.default === undefined) missing.push(`${name}.${p.name}: no @default`);
      }
      for (const m of t.methods ?? []) {
        if (!m.overrides && !m.docs?.summary) missing.push(`${name}.${m.name}(): no doc comment`);
      }
      for (const m of t.members ?? []) {
        if (!m.docs?.summary) missing.push(`${name}.${m.name}: no doc comment`);
      }
    }
    expect(missing).toEqual([]);
  });

  test('holds every export of lib/index.ts and nothing else is exported', () => {
    const inAssembly = Object.keys(types)
      .map((fqn) => fqn.replace(/^cdk-s3-dr\./, ''))
      .filter((name) => types[`cdk-s3-dr.${name}`].kind !== 'interface');
    expect(Object.keys(lib).sort()).toEqual(inAssembly.sort());
  });
});

describe("the enums carry the handlers' values", () => {
  test.each([
    ['AuditMode', lib.AuditMode, audit.AUDIT_MODES],
    ['DrillSampleMode', lib.DrillSampleMode, drill.SAMPLE_MODES],
    ['DrillCopyMode', lib.DrillCopyMode, drill.COPY_MODES],
    ['FailoverMode', lib.FailoverMode, failover.FAILOVER_MODES],
    ['FailoverPlan', lib.FailoverPlan, failover.FAILOVER_PLANS],
  ] as const)('%s', (_name, e, values) => {
    expect(Object.values(e).sort()).toEqual([...values].sort());
  });

  test('the defaults the constructs take from the contracts are enum members', () => {
    expect(Object.values(lib.AuditMode)).toContain(audit.DEFAULTS.mode);
    expect(Object.values(lib.DrillSampleMode)).toContain(drill.DEFAULTS.sampleMode);
    expect(Object.values(lib.DrillCopyMode)).toContain(drill.DEFAULTS.copyMode);
    expect(Object.values(lib.FailoverMode)).toContain(failover.DEFAULTS.mode);
    expect(Object.values(lib.FailoverPlan)).toContain(failover.DEFAULTS.plan);
  });
});
