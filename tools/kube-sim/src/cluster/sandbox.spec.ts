import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findBubblewrap, spawnInSandbox } from './sandbox.js';

function run(command: string[], dataDir: string, env: Record<string, string> = {}, input?: string) {
  const child = spawnInSandbox({ command, dataDir, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdin.end(input);
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.on('close', (code) => resolve({ code, stdout, stderr })),
  );
}

const hasBwrap = findBubblewrap() !== null;
if (!hasBwrap) console.warn('SKIPPING sandbox specs: bubblewrap is not installed (apt-get install -y bubblewrap)');

(hasBwrap ? describe : describe.skip)('sandbox', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sandbox-spec-'));
  writeFileSync(join(dataDir, 'server.properties'), 'motd=hello\n');

  it('mounts the volume at /data and runs in it', async () => {
    const result = await run(['sh', '-c', 'pwd; cat server.properties; ls /data'], dataDir);
    expect(result).toEqual({ code: 0, stdout: '/data\nmotd=hello\nserver.properties\n', stderr: '' });
  });

  it('passes only the container environment and keeps the exit code', async () => {
    const result = await run(['sh', '-c', 'echo "$GREETING $HOME"; env | grep -c . ; exit 3'], dataDir, {
      GREETING: 'hi',
    });
    expect(result.code).toBe(3);
    const [greeting, count] = result.stdout.trim().split('\n');
    expect(greeting).toBe('hi /root');
    expect(Number(count)).toBeLessThan(8);
  });

  it('treats arguments literally and reads stdin', async () => {
    const result = await run(['cat', '-'], dataDir, {}, '$(touch /data/pwned); rm -rf /data\n');
    expect(result.stdout).toBe('$(touch /data/pwned); rm -rf /data\n');
    expect((await run(['ls', '/data'], dataDir)).stdout).toBe('server.properties\n');
  });

  it('gives a private pid namespace and the workspace node', async () => {
    expect((await run(['sh', '-c', 'echo $$'], dataDir)).stdout.trim()).toMatch(/^[0-9]$/);
    expect((await run(['node', '-p', 'process.versions.node'], dataDir)).stdout.trim()).toBe(process.versions.node);
  });
});
