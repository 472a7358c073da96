import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { nagPacks } from '../../bin/nag';
import { GUARD_PLUGIN } from '../../lib/private/guard';

export interface Finding {
  readonly rule: string;
  readonly path: string;
}

/**
 * Runs the four cdk-nag packs through their own `validateScope` (v3 findings do not appear in
 * Annotations) and returns every unacknowledged finding as rule + construct path.
 */
export function nagFindings(scope: IConstruct): Finding[] {
  return nagPacks().flatMap((pack) =>
    pack
      .validateScope(scope)
      .violations.flatMap((v) => v.violatingResources.map((r) => ({ rule: v.ruleName, path: r.constructPath ?? '' }))),
  );
}

export interface Acknowledgement {
  readonly id: string;
  readonly reason: string;
  readonly path: string;
}

/** Every cdk-nag acknowledgement recorded in the construct tree below `scope`. */
export function acknowledgements(scope: IConstruct): Acknowledgement[] {
  return allAcknowledgements(scope).filter((a) => !a.id.startsWith(`${GUARD_PLUGIN}::`));
}

/** Every acknowledgement (cdk-nag's and other validation plugins', namespaced `plugin::rule`). */
export function allAcknowledgements(scope: IConstruct): Acknowledgement[] {
  return scope.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY && m.data)
      .flatMap((m) =>
        Object.entries(m.data as Record<string, unknown>).map(([id, reason]) => ({
          id: id.replace(/^annotation::/i, ''),
          reason: typeof reason === 'string' ? reason : String((reason as { reason?: string })?.reason ?? reason),
          path: c.node.path,
        })),
      ),
  );
}

/** Removes every acknowledgement below `scope`, so the raw findings can be seen. */
export function stripAcknowledgements(scope: IConstruct): void {
  for (const c of scope.node.findAll()) {
    const internal = c.node as unknown as { _metadata?: Array<{ type: string }> };
    if (internal._metadata) {
      internal._metadata = internal._metadata.filter((m) => m.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY);
    }
  }
}

/**
 * Acknowledgements that cover no raw finding: each one must suppress something real, or it is
 * a blind spot waiting for a future finding.
 */
export function unusedAcknowledgements(acks: Acknowledgement[], rawFindings: Finding[]): Acknowledgement[] {
  return acks.filter(
    (a) => !rawFindings.some((f) => f.rule === a.id && (f.path === a.path || f.path.startsWith(a.path + '/'))),
  );
}
