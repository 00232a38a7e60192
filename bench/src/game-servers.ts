// Emulated game servers alone, without the simulator: start --count N servers on their own
// loopback addresses, wait until all are ready, and report time, memory and descriptors.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGameServer, type GameServer } from '@blockplane/kube-sim/minecraft';
import { freePort } from '@blockplane/testing';
import { loopbackHost, parseCount, percentile, report, settledRss } from './measure.js';

async function main(): Promise<void> {
  const count = parseCount(process.argv, 10_000);
  const root = await mkdtemp(join(tmpdir(), 'bench-game-servers-'));
  // The game servers share one listener per port on 0.0.0.0.
  const [gamePort, rconPort] = [await freePort('0.0.0.0'), await freePort('0.0.0.0')];
  const rssBefore = settledRss();
  const started = performance.now();
  const readyAt: number[] = [];
  const servers: GameServer[] = [];
  for (let i = 0; i < count; i++) {
    const server = startGameServer({
      env: { EULA: 'TRUE', RCON_PASSWORD: 'bench' },
      dataDir: join(root, String(i)),
      host: loopbackHost(i),
      gamePort,
      rconPort,
      startDelayMs: 0,
      onOutput: () => undefined,
    });
    void server.ready.then(() => readyAt.push(performance.now() - started));
    servers.push(server);
  }
  await Promise.all(servers.map((s) => s.ready));
  const elapsed = performance.now() - started;
  await new Promise((resolve) => setTimeout(resolve, 200)); // let the log writer drain
  const rssPerServer = (settledRss() - rssBefore) / count;
  const fds = (await readdir('/proc/self/fd')).length;

  const ok = report([
    { name: `${count} game servers ready`, value: elapsed / 1000, unit: 's', target: { max: 60 } },
    { name: 'time to ready p50', value: percentile(readyAt, 50), unit: 'ms' },
    { name: 'time to ready p99', value: percentile(readyAt, 99), unit: 'ms' },
    { name: 'RSS per game server', value: rssPerServer / 1024, unit: 'KB', target: { max: 100 } },
    { name: 'open file descriptors (whole process)', value: fds, unit: 'fds', target: { max: 20_000 } },
  ]);
  for (const s of servers) s.signal('SIGKILL');
  await Promise.all(servers.map((s) => s.exited));
  await rm(root, { recursive: true, force: true });
  process.exitCode = ok ? 0 : 1;
}

await main();
