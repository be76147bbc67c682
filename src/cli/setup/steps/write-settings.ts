/**
 * Step 4: the settings each group should hold — the checked values on the group's keys, generated keys kept (or
 * generated once when a group has none yet) — and a write of only the groups that differ, so a second run writes
 * nothing. Values are compared, never printed.
 */
import { randomBytes } from 'node:crypto';
import type { SettingsGroup, SettingsStore, StepReport } from '../setup-target';

export interface SettingsChange {
  readonly group: string;
  readonly value: Record<string, string>;
  /** Keys whose value changes (names only). */
  readonly keys: readonly string[];
}

/** Pure: what to write, given what is stored. Generated keys that exist are kept as they are. */
export function planSettings(
  groups: readonly SettingsGroup[],
  stored: ReadonlyMap<string, Readonly<Record<string, string>>>,
  values: ReadonlyMap<string, string>,
  generate: () => string = () => randomBytes(36).toString('base64url')
): { changes: SettingsChange[]; unchanged: string[] } {
  const changes: SettingsChange[] = [];
  const unchanged: string[] = [];
  for (const group of groups) {
    const current = stored.get(group.name) ?? {};
    const next: Record<string, string> = { ...current };
    for (const key of group.keys) next[key] = values.get(key) ?? '';
    for (const key of group.generatedKeys) if (!current[key]?.trim()) next[key] = generate();
    const keys = Object.keys(next).filter((key) => next[key] !== current[key]);
    if (keys.length === 0) unchanged.push(group.name);
    else changes.push({ group: group.name, value: next, keys });
  }
  return { changes, unchanged };
}

export async function writeSettingsStep(
  store: SettingsStore,
  plan: { changes: readonly SettingsChange[]; unchanged: readonly string[] },
  dryRun: boolean
): Promise<StepReport> {
  const lines = plan.changes.map((c) => `${dryRun ? 'would write' : 'wrote'} ${c.group} (${c.keys.join(', ')})`);
  if (plan.unchanged.length > 0) lines.push(`unchanged: ${plan.unchanged.join(', ')}`);
  if (plan.changes.length === 0) return { state: 'already done', lines };
  if (dryRun) return { state: 'would do', lines };
  for (const change of plan.changes) await store.write(change.group, change.value);
  return { state: 'done', lines };
}
