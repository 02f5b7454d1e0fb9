import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { promises as fs } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Rule, RuleRun } from '../../../shared/models/rules';
import type { Dispatch } from '../dispatch';
import { parseStrictJson } from '../json/strict';
import { writeFileAtomic } from '../storage/atomic';
import { parsePushEvents, type PushEvent } from './events';
import { ruleMatcher } from './match';
import { RuleStore } from './store';

/**
 * The registry-event listener behind `signet rules serve`: it takes pushes from a registry
 * (POST /events/<registry id>, with the shared secret in `Authorization: Bearer …`), finds the
 * enabled rules with trigger event+manual that match, and runs each for the pushed image through
 * the contract (`rules.run` with `image`), which reads the tag or digest again from the registry
 * and signs only what it serves. The event answers at once; signing happens in a bounded queue.
 */
export interface ListenerOptions {
  dataDir: string;
  dispatch: Dispatch;
  secret: string;
  port?: number;
  /** 127.0.0.1 unless told otherwise. */
  host?: string;
  /** Images signed at once (default 4) and pushes waiting at most (default 1000: more get 503, and the registry retries). */
  concurrency?: number;
  queueLimit?: number;
  log?: (line: string) => void;
  /** Unlocks the vault again when it locked itself while the listener runs (the rule's session: `--vault-password-env`). */
  unlock?: () => Promise<boolean>;
  /** For registries that send nothing: every this many seconds, list the tags the event rules cover and run them for each new tag. */
  pollSeconds?: number;
  /** Called after each image's run (tests, the benchmark). */
  onRun?: (push: { rule: string; repository: string; reference: string; receivedAt: number }, run: RuleRun | { failed: string }) => void;
}

export interface ListenerStats {
  received: number;
  unauthorized: number;
  pushes: number;
  ignored: number;
  duplicates: number;
  queued: number;
  runs: number;
  signed: number;
  failed: number;
}

export interface RulesListener {
  readonly url: string;
  readonly port: number;
  stats(): ListenerStats;
  /** Resolves once nothing is queued or running. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

const BODY_LIMIT = 1024 * 1024;
/** A run for a push is tried this many times (0.25 s, 0.5 s, 1 s, 2 s apart) when the answer may change. */
const RUN_ATTEMPTS = 5;
const RETRIED: ReadonlySet<string> = new Set(['UNAVAILABLE', 'TIMEOUT', 'CONFLICT', 'RATE_LIMITED', 'NOT_FOUND']);
/** A push seen in the last ten minutes is a replay (its image was checked already). */
const REPLAY_WINDOW_MS = 10 * 60_000;
const REPLAY_MEMORY = 20_000;

/** The listener's shared secret: from the environment variable named, else kept (0600) in the data directory, made once. */
export async function listenerSecret(dataDir: string, fromEnv?: string): Promise<string> {
  if (fromEnv) {
    if (fromEnv.length < 16) throw new Error('The shared secret must be at least 16 characters.');
    return fromEnv;
  }
  const file = path.join(dataDir, 'rules', 'listener-secret');
  try {
    const kept = (await fs.readFile(file, 'utf8')).trim();
    if (kept.length >= 16) return kept;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const made = randomBytes(24).toString('base64url');
  await writeFileAtomic(file, `${made}\n`, 0o600);
  return made;
}

/** Compares the Authorization header with the expected one in constant time (both hashed first, so lengths never leak). */
export function secretMatches(header: string | undefined, secret: string): boolean {
  const a = createHash('sha256')
    .update(header ?? '')
    .digest();
  const b = createHash('sha256').update(`Bearer ${secret}`).digest();
  return timingSafeEqual(a, b) && header !== undefined;
}

/** What to paste into docker-registry's config.yml and Harbor's webhook form. */
export function setupText(url: string, registryIds: readonly string[], secret: string): string {
  const ids = registryIds.length ? registryIds : ['REGISTRY-ID'];
  const lines = [
    'docker-registry (distribution) config.yml — add under the top level, one endpoint per saved registry:',
    '',
    'notifications:',
    '  endpoints:',
    ...ids.flatMap((id) => [
      `    - name: signet-${id}`,
      `      url: ${url}/events/${id}`,
      '      headers:',
      `        Authorization: ["Bearer ${secret}"]`,
      '      timeout: 5s',
      '      threshold: 5',
      '      backoff: 1s',
      '      ignoredmediatypes: ["application/octet-stream"]',
    ]),
    '',
    'Harbor (and TCR Enterprise) — Project → Webhooks → New webhook:',
    '  Notify type:   http',
    '  Event type:    Artifact pushed',
    '  Payload format: Default or CloudEvents',
    ...ids.map((id) => `  Endpoint URL:  ${url}/events/${id}`),
    `  Auth header:   Bearer ${secret}`,
  ];
  return lines.join('\n');
}

interface Job {
  rule: string;
  repository: string;
  reference: string;
  key: string;
  receivedAt: number;
}

export async function startRulesListener(options: ListenerOptions): Promise<RulesListener> {
  const log = options.log ?? (() => undefined);
  const store = new RuleStore(options.dataDir);
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const queueLimit = Math.max(1, options.queueLimit ?? 1000);
  const stats: ListenerStats = {
    received: 0,
    unauthorized: 0,
    pushes: 0,
    ignored: 0,
    duplicates: 0,
    queued: 0,
    runs: 0,
    signed: 0,
    failed: 0,
  };
  const queue: Job[] = [];
  const pending = new Set<string>();
  const seen = new Map<string, number>();
  let active = 0;
  let waiters: Array<() => void> = [];

  const remember = (key: string) => {
    seen.set(key, Date.now());
    if (seen.size > REPLAY_MEMORY)
      for (const [k] of seen) {
        seen.delete(k);
        if (seen.size <= REPLAY_MEMORY / 2) break;
      }
  };
  const replayed = (key: string) => {
    const at = seen.get(key);
    return at !== undefined && Date.now() - at < REPLAY_WINDOW_MS;
  };
  const settle = () => {
    if (active === 0 && queue.length === 0) {
      const done = waiters;
      waiters = [];
      for (const w of done) w();
    }
  };

  /** True when the image is signed (or was already): only then is a delivery of it again a replay. */
  const work = async (job: Job): Promise<boolean> => {
    let result: RuleRun | { failed: string } = { failed: 'not run' };
    for (let attempt = 1; attempt <= RUN_ATTEMPTS; attempt++) {
      const answer = await options.dispatch('rules.run', {
        name: job.rule,
        image: { repository: job.repository, reference: job.reference },
      });
      if (answer.ok) {
        result = answer.value as RuleRun;
        break;
      }
      result = { failed: `${answer.code}: ${answer.message}` };
      if (answer.code === 'KEY_LOCKED' && options.unlock && attempt < RUN_ATTEMPTS && (await options.unlock())) continue;
      // A registry that blinked, a tag that moved while we looked, or a push announced before its tag
      // can be read (docker-registry sends the event before it links the tag): look again shortly.
      // What the registry still does not hold after that is never signed.
      if (!RETRIED.has(answer.code) || attempt === RUN_ATTEMPTS) break;
      await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** (attempt - 1)));
    }
    stats.runs++;
    if ('failed' in result) {
      stats.failed++;
      log(`rules: ${job.rule} for ${job.repository}:${job.reference} failed: ${result.failed}`);
    } else {
      stats.signed += result.counts.signed;
      stats.failed += result.counts.failed;
      if (result.counts.signed) log(`rules: ${job.rule} signed ${job.repository}:${job.reference} (${result.counts.signed} signature(s))`);
    }
    options.onRun?.({ rule: job.rule, repository: job.repository, reference: job.reference, receivedAt: job.receivedAt }, result);
    return !('failed' in result) && result.counts.failed === 0;
  };
  const pump = () => {
    while (active < concurrency && queue.length) {
      const job = queue.shift() as Job;
      active++;
      void work(job)
        .catch((error: unknown) => {
          log(`rules: ${job.rule} for ${job.repository}:${job.reference}: ${error instanceof Error ? error.message : String(error)}`);
          return false;
        })
        .then((done) => {
          // A push that failed is not remembered: the registry's retry of it is worth taking.
          if (done) remember(job.key);
        })
        .finally(() => {
          active--;
          pending.delete(job.key);
          pump();
          settle();
        });
    }
  };

  /** The rules a push starts: enabled, triggered by events, of this registry, matching the repository and tag. */
  const rulesFor = (rules: readonly Rule[], registry: string, push: PushEvent): Array<{ rule: string; reference: string }> =>
    rules
      .filter((r) => r.enabled && r.trigger === 'event+manual' && r.registry === registry)
      .flatMap((r) => {
        const match = ruleMatcher(r);
        if (!match.repository(push.repository)) return [];
        if (push.tag) return match.tag(push.tag) ? [{ rule: r.name, reference: push.tag }] : [];
        return r.tags === '**' && push.digest ? [{ rule: r.name, reference: push.digest }] : [];
      });

  /** Queues the runs a set of pushes starts; refused whole (503) when they do not fit. */
  const enqueue = async (
    registry: string,
    pushes: readonly PushEvent[],
    rules?: readonly Rule[],
  ): Promise<{ status: number; text: string }> => {
    rules ??= await store.list();
    const jobs: Job[] = [];
    const now = Date.now();
    for (const push of pushes) {
      stats.pushes++;
      const matched = rulesFor(rules, registry, push);
      if (!matched.length) stats.ignored++;
      for (const m of matched) {
        const key = `${m.rule}|${registry}|${push.repository}|${m.reference}|${push.digest ?? ''}`;
        if (pending.has(key) || replayed(key) || jobs.some((j) => j.key === key)) {
          stats.duplicates++;
          continue;
        }
        jobs.push({ rule: m.rule, repository: push.repository, reference: m.reference, key, receivedAt: now });
      }
    }
    // Bounded: a delivery that does not fit is refused whole, and the registry delivers it again later.
    if (queue.length + jobs.length > queueLimit) return { status: 503, text: 'queue full; deliver again later\n' };
    for (const job of jobs) {
      pending.add(job.key);
      queue.push(job);
    }
    stats.queued += jobs.length;
    pump();
    return { status: 200, text: `queued ${jobs.length}\n` };
  };

  const accept = async (registry: string, body: unknown): Promise<{ status: number; text: string }> => {
    const parsed = parsePushEvents(body);
    if (parsed.kind === 'unknown') return { status: 200, text: `ignored: ${parsed.reason}\n` };
    stats.ignored += parsed.ignored;
    return enqueue(registry, parsed.pushes);
  };

  // Polling, for registries that send no events: a diff of tag lists. The first look at a registry
  // is the baseline (its images are a manual run's work); later, every tag not seen before is a push.
  const seenTags = new Map<string, Set<string>>();
  const baselined = new Set<string>();
  let polling = false;
  const pollOnce = async () => {
    if (polling) return;
    polling = true;
    try {
      const rules = (await store.list()).filter((r) => r.enabled && r.trigger === 'event+manual');
      for (const registry of new Set(rules.map((r) => r.registry))) {
        const mine = rules.filter((r) => r.registry === registry);
        const listed = await options.dispatch('registry.repositories', { id: registry });
        if (!listed.ok) {
          log(`rules: polling ${registry}: ${listed.message}`);
          continue;
        }
        const repositories = (listed.value as { repositories: string[] }).repositories.filter((repo) =>
          mine.some((r) => ruleMatcher(r).repository(repo)),
        );
        const pushes: PushEvent[] = [];
        for (const repository of repositories) {
          const tags = await options.dispatch('registry.tags', { id: registry, repository });
          if (!tags.ok) continue;
          const now = new Set((tags.value as { tags: string[] }).tags);
          const before = seenTags.get(`${registry}|${repository}`);
          seenTags.set(`${registry}|${repository}`, now);
          if (!baselined.has(registry)) continue;
          for (const tag of now) if (!before?.has(tag)) pushes.push({ repository, tag });
        }
        baselined.add(registry);
        if (pushes.length) await enqueue(registry, pushes, rules);
      }
    } catch (error) {
      log(`rules: polling failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      polling = false;
    }
  };
  const pollTimer = options.pollSeconds ? setInterval(() => void pollOnce(), options.pollSeconds * 1000) : undefined;
  if (options.pollSeconds) await pollOnce();

  const server = http.createServer((req, res) => {
    const reply = (status: number, text: string) => {
      res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(text);
    };
    const url = new URL(req.url ?? '/', 'http://listener');
    if (req.method === 'GET' && url.pathname === '/healthz') return reply(200, 'ok\n');
    const m = /^\/events\/([a-z0-9-]{1,64})$/.exec(url.pathname);
    if (!m) return reply(404, 'not found\n');
    if (req.method !== 'POST') return reply(405, 'POST only\n');
    stats.received++;
    if (!secretMatches(req.headers.authorization, options.secret)) {
      stats.unauthorized++;
      log(`rules: refused an event for ${m[1]} from ${req.socket.remoteAddress ?? 'unknown'}: no valid shared secret (401)`);
      req.resume();
      return reply(401, 'unauthorized\n');
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > BODY_LIMIT) tooBig = true;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooBig) return reply(413, 'too large\n');
      let body: unknown;
      try {
        body = parseStrictJson(Buffer.concat(chunks), 'The event');
      } catch {
        return reply(400, 'not JSON\n');
      }
      accept(m[1] as string, body).then(
        (r) => reply(r.status, r.text),
        (error: unknown) => {
          log(`rules: could not take an event: ${error instanceof Error ? error.message : String(error)}`);
          reply(503, 'try again\n');
        },
      );
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    port: address.port,
    stats: () => ({ ...stats }),
    idle: () =>
      new Promise<void>((resolve) => {
        waiters.push(resolve);
        settle();
      }),
    close: async () => {
      if (pollTimer) clearInterval(pollTimer);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
