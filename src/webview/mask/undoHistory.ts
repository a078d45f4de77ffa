/**
 * Undo and redo over snapshots, bounded: the two stacks together hold at most `capacity`
 * snapshots (the oldest undo step goes first), so a long session on a large image cannot grow
 * memory without limit. A new step clears what could be redone, as in every editor.
 */
export class UndoHistory<T> {
  private readonly undoable: T[] = [];
  private readonly redoable: T[] = [];

  constructor(private readonly capacity: number) {}

  /** Remembers `before`, the state a change is about to replace. */
  record(before: T): void {
    this.redoable.length = 0;
    this.undoable.push(before);
    if (this.undoable.length > this.capacity) this.undoable.shift();
  }

  /** The state to go back to, given the `current` one (kept for redo); undefined when there is none. */
  undo(current: T): T | undefined {
    const previous = this.undoable.pop();
    if (previous !== undefined) this.redoable.push(current);
    return previous;
  }

  /** The state to go forward to, given the `current` one (kept for undo); undefined when there is none. */
  redo(current: T): T | undefined {
    const next = this.redoable.pop();
    if (next !== undefined) this.undoable.push(current);
    return next;
  }

  get canUndo(): boolean {
    return this.undoable.length > 0;
  }

  get canRedo(): boolean {
    return this.redoable.length > 0;
  }
}
