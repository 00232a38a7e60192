import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { countBuffersByWhatTheyHold } from './heap-limits.js';

const built = fileURLToPath(new URL('../dist/heap-limits.js', import.meta.url));

/** Mark-compacts of a child that reads 1 GiB in 64 KiB buffers beside a 50 MB heap it keeps, as a socket does. */
function markCompacts(counted: boolean): number {
  const script = `
    import { PerformanceObserver, constants } from 'node:perf_hooks';
    const { countBuffersByWhatTheyHold } = await import(${JSON.stringify(built)});
    if (${counted}) countBuffersByWhatTheyHold();
    const kept = Array.from({ length: 400_000 }, (_, i) => ({ i, name: 'entry' + i, list: [i] }));
    let major = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) if (entry.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) major++;
    }).observe({ type: 'gc' });
    for (let i = 0; i < 16_384; i++) {
      Buffer.allocUnsafeSlow(65_536)[0] = i;
      if (i % 16 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    console.log(major, kept.length);`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  return Number(out.split(' ')[0]);
}

describe('countBuffersByWhatTheyHold', () => {
  it('leaves a V8 that counts them so by default alone', () => {
    expect(countBuffersByWhatTheyHold('14.8.0')).toBe(false);
    expect(countBuffersByWhatTheyHold('15.1.20')).toBe(false);
  });

  it('runs at most a quarter of the mark-compacts for buffers that die young', () => {
    const without = markCompacts(false);
    const withFlag = markCompacts(true);
    expect(without).toBeGreaterThanOrEqual(8);
    expect(withFlag).toBeLessThanOrEqual(without / 4);
  });
});
