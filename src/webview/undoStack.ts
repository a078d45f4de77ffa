/**
 * A bounded undo stack: pushing beyond `capacity` drops the oldest entry, so a long painting
 * session on a large image cannot grow memory without limit.
 */
export class UndoStack<T> {
  private readonly entries: T[] = [];

  constructor(private readonly capacity: number) {}

  push(entry: T): void {
    this.entries.push(entry);
    if (this.entries.length > this.capacity) this.entries.shift();
  }

  pop(): T | undefined {
    return this.entries.pop();
  }

  clear(): void {
    this.entries.length = 0;
  }

  get size(): number {
    return this.entries.length;
  }
}
