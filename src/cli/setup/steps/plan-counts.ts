/** One line for a Dataverse plan's counts, as register-webhooks and setup-dataverse print them. */
export function countsLine(
  counts: Record<'create' | 'update' | 'delete' | 'unchanged', number>,
  dryRun: boolean
): string {
  const [create, update, remove] = dryRun ? ['would create', 'update', 'remove'] : ['created', 'updated', 'removed'];
  return `${create} ${counts.create}, ${update} ${counts.update}, ${remove} ${counts.delete}; ${counts.unchanged} unchanged`;
}
