// Server start-up does its volume work synchronously (see server-files.ts). When thousands
// of servers start in the same tick, running all of that at once would stall the event loop
// (and the API server sharing it) for seconds, so starts are run in slices of a few
// milliseconds with the event loop free in between.
const SLICE_MS = 5;

let queue: Array<() => void> = [];
let head = 0;

export function enqueueBoot(task: () => void): void {
  queue.push(task);
  if (queue.length - head === 1) setImmediate(drain);
}

function drain(): void {
  const until = performance.now() + SLICE_MS;
  while (head < queue.length && performance.now() < until) queue[head++]?.();
  if (head < queue.length) {
    setImmediate(drain);
  } else {
    queue = [];
    head = 0;
  }
}
