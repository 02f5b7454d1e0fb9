import { promises as fs } from 'node:fs';
import path from 'node:path';
import { RunItem, type RuleRun } from '../../../shared/models/rules';
import { appendFileDurable } from '../storage/atomic';

/**
 * A rule's run journal: `rules/journal/<rule>.jsonl` in the data directory, append-only, each line
 * flushed to disk before the work it records goes on. A run writes `start`, then `intent` before
 * it signs an image in a format and `item` with the outcome once the registry holds the signature
 * (or the attempt failed), then `end`. A run cut short (a crash, a killed registry) has no `end`;
 * the next run of the rule resumes it: what the journal says is signed is not signed again, what
 * it only intended is looked for in the registry first, so nothing is signed twice or lost.
 */
type Line =
  | { t: 'start'; run: string; at: string; trigger: 'manual' | 'event'; resumes?: string; image?: string }
  | { t: 'intent'; run: string; digest: string; format: string }
  | { t: 'item'; run: string; item: RunItem }
  | { t: 'end'; run: string; at: string; status: RuleRun['status'] };

const MAX_RUNS = 20;
const RECENT_BYTES = 1024 * 1024;

export class RunJournal {
  private chain: Promise<unknown> = Promise.resolve();
  readonly file: string;

  /** Runs by hand and runs for pushes keep separate journals: a stream of pushes never buries the run a rerun resumes. */
  constructor(dataDir: string, rule: string, kind: 'manual' | 'event' = 'manual') {
    this.file = path.join(dataDir, 'rules', 'journal', `${encodeURIComponent(rule)}${kind === 'event' ? '.events' : ''}.jsonl`);
  }

  /** Moves the journal to a renamed rule's file (a rule keeps its runs when renamed). */
  async moveTo(other: RunJournal): Promise<void> {
    await this.chain;
    await fs.mkdir(path.dirname(other.file), { recursive: true, mode: 0o700 });
    await fs.rename(this.file, other.file).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }

  /** Appends one line and flushes it; appends from this process go one at a time. */
  append(line: Line): Promise<void> {
    const write = () => appendFileDurable(this.file, `${JSON.stringify(line)}\n`);
    const next = this.chain.then(write, write);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** The journal's lines; with `tailBytes`, only those in its last bytes (the first, cut one dropped). */
  private async lines(tailBytes?: number): Promise<Line[]> {
    let text: string;
    try {
      if (tailBytes === undefined) text = await fs.readFile(this.file, 'utf8');
      else {
        const handle = await fs.open(this.file, 'r');
        try {
          const { size } = await handle.stat();
          const length = Math.min(size, tailBytes);
          const buffer = Buffer.alloc(length);
          await handle.read(buffer, 0, length, size - length);
          text = buffer.toString('utf8');
          if (length < size) text = text.slice(text.indexOf('\n') + 1);
        } finally {
          await handle.close();
        }
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const out: Line[] = [];
    // A last line cut short by a crash is dropped; every whole line is a record.
    for (const raw of text.split('\n')) {
      if (!raw.trim()) continue;
      try {
        const line = JSON.parse(raw) as Line;
        if (line.t === 'item' && !RunItem.safeParse(line.item).success) continue;
        out.push(line);
      } catch {
        // not a whole line
      }
    }
    return out;
  }

  /** Every run the journal records, oldest first; a run with no `end` is `interrupted` unless it is still running here. */
  async runs(
    rule: string,
    running: ReadonlySet<string> = new Set(),
    tailBytes?: number,
  ): Promise<Array<RuleRun & { image?: string; intents: Set<string> }>> {
    const runs = new Map<string, RuleRun & { image?: string; intents: Set<string> }>();
    for (const line of await this.lines(tailBytes)) {
      if (line.t === 'start') {
        runs.set(line.run, {
          id: line.run,
          rule,
          trigger: line.trigger,
          startedAt: line.at,
          status: running.has(line.run) ? 'running' : 'interrupted',
          ...(line.resumes ? { resumed: line.resumes } : {}),
          ...(line.image ? { image: line.image } : {}),
          counts: { signed: 0, alreadySigned: 0, failed: 0, cancelled: 0 },
          items: [],
          intents: new Set(),
        });
        continue;
      }
      const run = runs.get(line.run);
      if (!run) continue;
      if (line.t === 'intent') run.intents.add(`${line.digest}|${line.format}`);
      else if (line.t === 'item') {
        run.items.push(line.item);
        run.intents.delete(`${line.item.digest}|${line.item.format}`);
        const o = line.item.outcome;
        if (o === 'signed') run.counts.signed++;
        else if (o === 'already-signed') run.counts.alreadySigned++;
        else if (o === 'failed') run.counts.failed++;
        else run.counts.cancelled++;
      } else {
        run.status = line.status;
        run.finishedAt = line.at;
      }
    }
    return [...runs.values()];
  }

  /** The most recent runs (read from the journal's last MiB), newest first, as the contract shows them. */
  async recent(rule: string, running: ReadonlySet<string>, limit = MAX_RUNS): Promise<RuleRun[]> {
    const all = await this.runs(rule, running, RECENT_BYTES);
    return all
      .slice(-limit)
      .reverse()
      .map(({ image: _image, intents: _intents, ...run }) => run);
  }
}
