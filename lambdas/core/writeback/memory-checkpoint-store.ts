import type { CheckpointStore } from './ports';

/** CheckpointStore kept in memory: for tests and single-process runs that may start over. */
export class InMemoryCheckpointStore implements CheckpointStore {
  readonly saved: Array<{ readonly name: string; readonly checkpoint: string }> = [];
  private readonly values = new Map<string, string>();

  constructor(initial: Record<string, string> = {}) {
    for (const [name, checkpoint] of Object.entries(initial)) this.values.set(name, checkpoint);
  }

  async load(name: string): Promise<string | undefined> {
    return this.values.get(name);
  }

  async save(name: string, checkpoint: string): Promise<void> {
    this.values.set(name, checkpoint);
    this.saved.push({ name, checkpoint });
  }
}
