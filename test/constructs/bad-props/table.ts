import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { InvalidPropsError, PropProblem } from '../../../lib/private/errors';

/**
 * One bad-input case of a construct: a short name, a builder that makes the construct (and
 * synthesizes the app when the rule is checked at synth), and what must come out: the prop with a
 * fragment of its message, or a warning fragment.
 */
export type BadPropsCase =
  | { readonly name: string; readonly build: () => unknown; readonly prop: string; readonly message: string }
  | { readonly name: string; readonly build: () => Stack; readonly warning: string };

/** The problems the builder threw: from the constructor, or rendered by app validation at synth. */
export function problemsOf(build: () => unknown): { text: string; problems?: readonly PropProblem[] } {
  try {
    build();
  } catch (e) {
    if (e instanceof InvalidPropsError) return { text: e.message, problems: e.problems };
    return { text: String((e as Error).message) };
  }
  throw new Error('expected the construct to fail, but it did not');
}

/** Runs a table: "fails when ..." for errors, "warns when ..." for warnings. */
export function runTable(cases: readonly BadPropsCase[]): void {
  for (const c of cases) {
    if ('warning' in c) {
      test(`warns when ${c.name}`, () => {
        const stack = c.build();
        const found = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(escape(c.warning)));
        expect(found.map((f) => f.entry.data)).toEqual([expect.stringContaining(c.warning)]);
      });
    } else {
      test(`fails when ${c.name}`, () => {
        const { text } = problemsOf(c.build);
        // Every problem line reads "- <prop> = <value>: <problem>; fix: <fix>".
        const line = text.split('\n').find((l) => l.startsWith(`  - ${c.prop} = `) && l.includes(c.message));
        expect({ prop: c.prop, line }).toEqual({ prop: c.prop, line: expect.stringContaining('; fix: ') });
      });
    }
  }
}

/** Synthesizes the whole app, as `cdk synth` does: runs the checks made once every construct exists. */
export function synth(app: App): void {
  app.synth();
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
