// logs/latest.log for every server of the process through one buffered writer: lines are
// queued per file and appended in batches, so no server keeps a file open and at most
// MAX_OPEN_FILES descriptors are in use for logging at any moment.
import { appendFile } from 'node:fs/promises';

const MAX_OPEN_FILES = 32;
const FLUSH_DELAY_MS = 20;

const pending = new Map<string, string[]>();
const inFlight = new Map<string, Promise<void>>();
let timer: NodeJS.Timeout | undefined;

export function appendLogLine(path: string, line: string): void {
  const lines = pending.get(path);
  if (lines) lines.push(line);
  else pending.set(path, [line]);
  timer ??= setTimeout(() => void flushAll(), FLUSH_DELAY_MS);
}

/** Resolves once every line queued for path so far is on disk. */
export async function flushLog(path: string): Promise<void> {
  for (;;) {
    const running = inFlight.get(path);
    if (running) {
      await running;
      continue;
    }
    const lines = pending.get(path);
    if (!lines) return;
    pending.delete(path);
    const write = appendFile(path, lines.join('\n') + '\n')
      .catch(() => undefined) // the volume may be gone (pod deleted); the lines went to onOutput too
      .finally(() => inFlight.delete(path));
    inFlight.set(path, write);
  }
}

async function flushAll(): Promise<void> {
  timer = undefined;
  const paths = [...pending.keys()];
  const workers = Array.from({ length: Math.min(MAX_OPEN_FILES, paths.length) }, async () => {
    for (let path = paths.pop(); path !== undefined; path = paths.pop()) await flushLog(path);
  });
  await Promise.all(workers);
}
