import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { readRecord, type RunRecord } from './runRecord';

/** A lease not renewed for this long belongs to a window that went away. */
export const LEASE_STALE_MS = 30_000;

interface Lease {
  owner: string;
  at: number;
}

/**
 * The history on disk, safe for every extension host (window) that shares one global storage
 * folder. VS Code keeps globalState as one object per extension and writes it whole, so two
 * windows there overwrite each other's records; here each record is its own file, replaced
 * atomically (written beside it, then renamed), and each run's lease, the right to settle it, is
 * a file created exclusively. Plain Node, so two processes can be tested against one folder.
 *
 *   <dir>/runs/<id>.json     one record
 *   <dir>/leases/<id>.json   {owner, at}: which window settles that run, renewed while it does
 */
export class RunStore {
  private readonly runsDir: string;
  private readonly leasesDir: string;
  /** Updates of one record in this process run one after another (read, change, write). */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(dir: string) {
    this.runsDir = path.join(dir, 'runs');
    this.leasesDir = path.join(dir, 'leases');
  }

  /** Every readable record, newest first; a damaged file is skipped, never fatal. */
  async list(): Promise<RunRecord[]> {
    const records = await Promise.all((await this.ids()).map((id) => this.read(id)));
    return records.filter((r): r is RunRecord => r !== undefined).sort((a, b) => b.createdAt - a.createdAt);
  }

  /** Every record's id (a file may turn out unreadable), without reading them. */
  async ids(): Promise<string[]> {
    let names: string[];
    try {
      names = await fs.readdir(this.runsDir);
    } catch (e) {
      if (isCode(e, 'ENOENT')) return [];
      throw e;
    }
    return names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -5));
  }

  async get(id: string): Promise<RunRecord | undefined> {
    return this.read(id);
  }

  /** Writes a record whole (atomically: another reader sees the old one or the new one). */
  async put(record: RunRecord): Promise<void> {
    await this.serially(record.id, () => this.write(record));
  }

  /** Changes a record from its stored value; resolves with the new one (undefined if it is gone). */
  async update(id: string, change: (record: RunRecord) => RunRecord): Promise<RunRecord | undefined> {
    return this.serially(id, async () => {
      const current = await this.read(id);
      if (!current) return undefined;
      const next = change(current);
      await this.write(next);
      return next;
    });
  }

  async remove(ids: readonly string[]): Promise<void> {
    await Promise.all(ids.map((id) => this.serially(id, () => removeQuietly(this.recordPath(id)))));
  }

  /**
   * Takes the lease on `id` for `owner` unless another owner renewed it within LEASE_STALE_MS.
   * Exactly one of several hosts claiming at once gets it: the lease file is created exclusively,
   * and a stale one is moved aside (an atomic rename) before a new one is created.
   */
  async claim(id: string, owner: string, now = Date.now()): Promise<boolean> {
    await fs.mkdir(this.leasesDir, { recursive: true });
    const file = this.leasePath(id);
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await createExclusive(file, JSON.stringify({ owner, at: now }))) return true;
      const held = await readLease(file);
      if (held?.owner === owner) return true;
      if (held && now - held.at < LEASE_STALE_MS) return false;
      if (!held) {
        // Unreadable: perhaps being written this instant. Only an old file counts as stale.
        const age = await ageOf(file, now);
        if (age === undefined) continue;
        if (age < LEASE_STALE_MS) return false;
      }
      // Stale (or unreadable): move it aside, and make sure what was moved is what was judged stale.
      const aside = `${file}.${randomBytes(6).toString('hex')}.stale`;
      try {
        await fs.rename(file, aside);
      } catch (e) {
        if (isCode(e, 'ENOENT')) continue; // Another host moved it first: try again.
        throw e;
      }
      const moved = await readLease(aside);
      if (moved?.owner !== held?.owner || moved?.at !== held?.at) {
        // A fresh lease was taken in between: put it back (unless yet another is there) and yield.
        await fs.link(aside, file).catch(() => undefined);
        await removeQuietly(aside);
        return false;
      }
      await removeQuietly(aside);
    }
    return false;
  }

  /** Renews `owner`'s lease; false when it no longer holds it (another host took it over). */
  async renew(id: string, owner: string, now = Date.now()): Promise<boolean> {
    const file = this.leasePath(id);
    const held = await readLease(file);
    if (held?.owner !== owner) return false;
    await writeReplacing(file, JSON.stringify({ owner, at: now }));
    return true;
  }

  async release(id: string, owner: string): Promise<void> {
    const file = this.leasePath(id);
    if ((await readLease(file))?.owner === owner) await removeQuietly(file);
  }

  /** Whether an owner other than `owner` holds a fresh lease on `id`. */
  async heldElsewhere(id: string, owner: string, now = Date.now()): Promise<boolean> {
    const held = await readLease(this.leasePath(id));
    return held !== undefined && held.owner !== owner && now - held.at < LEASE_STALE_MS;
  }

  /** The folder of the records, for watching it. */
  get recordsFolder(): string {
    return this.runsDir;
  }

  private async read(id: string): Promise<RunRecord | undefined> {
    try {
      return readRecord(JSON.parse(await fs.readFile(this.recordPath(id), 'utf8')));
    } catch {
      return undefined; // Missing, or half-written by an older version: not a record.
    }
  }

  private async write(record: RunRecord): Promise<void> {
    await fs.mkdir(this.runsDir, { recursive: true });
    await writeReplacing(this.recordPath(record.id), JSON.stringify(record));
  }

  private recordPath(id: string): string {
    return path.join(this.runsDir, `${safeName(id)}.json`);
  }

  private leasePath(id: string): string {
    return path.join(this.leasesDir, `${safeName(id)}.json`);
  }

  private serially<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(id) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.queues.set(id, next);
    void next
      .finally(() => {
        if (this.queues.get(id) === next) this.queues.delete(id);
      })
      .catch(() => undefined);
    return next;
  }
}

function safeName(id: string): string {
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(id)) throw new Error(`Not a record id: ${id.slice(0, 40)}`);
  return id;
}

async function createExclusive(file: string, content: string): Promise<boolean> {
  try {
    await fs.writeFile(file, content, { flag: 'wx' });
    return true;
  } catch (e) {
    if (isCode(e, 'EEXIST')) return false;
    throw e;
  }
}

/** Writes beside the target, then renames over it: readers never see half a file. */
async function writeReplacing(file: string, content: string): Promise<void> {
  const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await fs.writeFile(temp, content);
    await fs.rename(temp, file);
  } catch (e) {
    await removeQuietly(temp);
    throw e;
  }
}

async function readLease(file: string): Promise<Lease | undefined> {
  try {
    const value: unknown = JSON.parse(await fs.readFile(file, 'utf8'));
    const lease = value as Partial<Lease>;
    return typeof lease?.owner === 'string' && typeof lease.at === 'number' ? { owner: lease.owner, at: lease.at } : undefined;
  } catch {
    return undefined;
  }
}

async function ageOf(file: string, now: number): Promise<number | undefined> {
  try {
    return now - (await fs.stat(file)).mtimeMs;
  } catch {
    return undefined;
  }
}

async function removeQuietly(file: string): Promise<void> {
  await fs.rm(file, { force: true });
}

function isCode(e: unknown, code: string): boolean {
  return (e as NodeJS.ErrnoException)?.code === code;
}
