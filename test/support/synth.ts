import { App, CfnResource, Stack } from 'aws-cdk-lib';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testApp } from './app';

export interface SynthesizedApp {
  readonly app: App;
  readonly outdir: string;
  /** Absolute paths of every stack template. */
  readonly templates: string[];
  /** The construct path of a resource, by template file name and logical id. */
  pathOf(templateFile: string, logicalId: string): string | undefined;
}

/** Builds an app with the project's feature flags and synthesizes it into a new temporary directory. */
export function synthesizeTo(build: (app: App) => void, prefix = 'cdk-s3-dr-synth-'): SynthesizedApp {
  const outdir = mkdtempSync(join(tmpdir(), prefix));
  const app = testApp({ outdir });
  build(app);
  const assembly = app.synth();
  const templates = assembly.stacks.map((s) => join(outdir, s.templateFile));
  const paths = new Map<string, string>();
  for (const c of app.node.findAll()) {
    if (!CfnResource.isCfnResource(c)) continue;
    const stack = Stack.of(c);
    paths.set(`${stack.templateFile}|${stack.resolve(c.logicalId)}`, c.node.path);
  }
  return {
    app,
    outdir,
    templates,
    pathOf: (templateFile, logicalId) => paths.get(`${templateFile.split('/').pop()}|${logicalId}`),
  };
}
