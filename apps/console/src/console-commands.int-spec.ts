import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { type Actor, CONSOLE_BACKLOG_MAX, DomainError, type RpcRequest } from '@blockplane/contracts';
import { waitFor } from '@blockplane/testing';
import { type KubeSim, startKubeSim } from '@blockplane/kube-sim';
import {
  type ConsoleHarness,
  type FrameRecorder,
  simulatorOptions,
  startConsoleHarness,
} from './console-test.spec-support.js';
import { gameContainer } from './kube/game-pod.js';
import { GamePods } from './kube/game-pods.js';

let sim: KubeSim;
let h: ConsoleHarness;
let serverId: string;
const alice: Actor = { userId: randomUUID(), role: 'user' };

beforeAll(async () => {
  const options = await simulatorOptions();
  sim = await startKubeSim(options);
  h = await startConsoleHarness(
    { ...sim, rconPort: options.rconPort },
    {
      COMMAND_BURST: '3',
      COMMAND_REFILL_MS: '60000',
      COMMAND_MAX_LENGTH: '100',
      CONSOLE_STATS_INTERVAL_MS: '200',
    },
  );
  serverId = await h.createServer();
  h.grants.set(`${alice.userId}:${serverId}`, ['control.console', 'control.command']);
}, 30_000);
afterAll(async () => {
  await h?.close();
  await sim?.stop();
});

/** A fresh user with the command right on the server, so each test has its own rate-limit bucket. */
function commander(): Actor {
  const actor: Actor = { userId: randomUUID(), role: 'user' };
  h.grants.set(`${actor.userId}:${serverId}`, ['control.command']);
  return actor;
}

function command(actor: Actor, text: string, server = serverId): RpcRequest<'console.command'> {
  return { actor, source: '203.0.113.7', serverId: server, command: text };
}

async function refusal(request: Promise<unknown>): Promise<DomainError> {
  try {
    await request;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('the request was not refused');
}

describe('console commands', () => {
  it('run over RCON: the reply comes back, and a player added in the simulator shows in list', async () => {
    sim.control.addPlayer(h.namespace, h.podName(serverId), 'steve');
    const result = await h.rpc.request('console.command', command(alice, 'list'));
    expect(result).toEqual({
      serverId,
      command: 'list',
      output: 'There are 1 of a max of 20 players online: steve',
    });
  });

  it('write every command to the activity log before it runs, with who, from where and what', async () => {
    const actor = commander();
    await h.rpc.request('console.command', command(actor, 'op steve'));
    await waitFor('the activity entry', () => h.activity.find((e) => e.actorId === actor.userId));
    expect(h.activity.filter((e) => e.actorId === actor.userId)).toEqual([
      expect.objectContaining({
        action: 'console.command',
        actorId: actor.userId,
        apiKeyId: null,
        source: '203.0.113.7',
        serverId,
        subjectUserId: null,
        details: { command: 'op steve' },
      }),
    ]);
  });

  it('show what the server logs to every viewer, while the reply goes to the sender only', async () => {
    const frames = h.record('gw-a', serverId);
    const lease = await h.hold('gw-a', serverId, 0);
    const result = await h.rpc.request('console.command', command(commander(), 'whitelist add alex'));
    expect(result.output).toBe('Added alex to the whitelist');
    await waitFor('the logged line', () => frames.texts().some((t) => t.endsWith(': Added alex to the whitelist')));
    await lease.release();
  });

  it('keep one RCON connection per running server, and open one new connection after a restart', async () => {
    // Each command from a user of its own: the rate limit is not what this test is about.
    const run = (text: string) => h.rpc.request('console.command', command(commander(), text));
    // The server logs each RCON client it accepts; a `say` line marks how far its log has reached a recorder.
    const rconClients = (lines: string[]) => lines.filter((t) => /Thread RCON Client \S+ started$/.test(t));
    const said = async (frames: FrameRecorder, mark: string) => {
      await run(`say ${mark}`);
      await waitFor(`"${mark}" in the log`, () => frames.texts().some((t) => t.endsWith(`[Rcon] ${mark}`)));
    };
    await run('seed');
    const before = h.record('gw-a', serverId);
    let lease = await h.hold('gw-a', serverId, 0);
    await run('seed');
    await run('seed');
    await said(before, 'before the restart');
    expect(rconClients(before.texts())).toEqual([]);
    // Unwatched, the server gets no stats queries: the commands below are the first to reach the new run.
    await lease.release();

    // The console hears of the restart only later, as a lagging watch would tell it: RCON answers first.
    const deliverWatches = h.kubeRequests.holdWatches();
    sim.control.crashPod(h.namespace, h.podName(serverId));
    await h.runReady(serverId, 1);
    // Three at once: the first to find the old connection gone opens the next one for all three.
    const seeds = () => Promise.all([run('seed'), run('seed'), run('seed')]);
    await waitFor('commands on the new run', () =>
      seeds().then((rs) => rs.every((r) => r.output.startsWith('Seed: '))),
    );
    deliverWatches();
    const pods = h.service.app.get(GamePods);
    await waitFor('the console to see the new run', () => {
      const pod = pods.get(serverId);
      return pod && gameContainer(pod)?.restartCount === 1;
    });

    // Watched again, with the new run's whole output: its stats and commands share the one connection.
    const after = h.record('gw-a', serverId);
    lease = await h.hold('gw-a', serverId, CONSOLE_BACKLOG_MAX);
    await run('seed');
    await run('seed');
    await said(after, 'after the restart');
    const lines = [...lease.backlog.lines.map((line) => line.text), ...after.texts()];
    expect(lines[0]).toMatch(/^\[init\]/);
    expect(rconClients(lines)).toHaveLength(1);
    await lease.release();
  });

  it('are rate-limited per user and server: a burst, then one per refill period', async () => {
    const actor = commander();
    for (let i = 0; i < 3; i++) await h.rpc.request('console.command', command(actor, 'seed'));
    const limited = await refusal(h.rpc.request('console.command', command(actor, 'seed')));
    expect(limited.code).toBe('RATE_LIMITED');
    expect((limited.details as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(50_000);
    // Another user on the same server has a bucket of their own.
    expect((await h.rpc.request('console.command', command(commander(), 'seed'))).output).toMatch(/^Seed: /);
  });

  it('need control.command, and a server the caller can see', async () => {
    const viewer: Actor = { userId: randomUUID(), role: 'user' };
    h.grants.set(`${viewer.userId}:${serverId}`, ['control.console']);
    const forbidden = await refusal(h.rpc.request('console.command', command(viewer, 'stop')));
    expect(forbidden).toMatchObject({ code: 'FORBIDDEN', message: 'you may not send commands to this server' });
    const unknown = await refusal(h.rpc.request('console.command', command(alice, 'list', randomUUID())));
    expect(unknown.code).toBe('NOT_FOUND');
    expect(h.activity.some((e) => e.actorId === viewer.userId)).toBe(false);
  });

  it('refuse line breaks, control characters, and commands too long, saying why', async () => {
    const actor = commander();
    const cases: Array<[string, RegExp]> = [
      ['op alice\nstop', /line breaks or control characters/],
      ['say \u0007bell', /line breaks or control characters/],
      ['say one\u2028two', /line breaks or control characters/],
      ['   ', /must not be empty/],
      ['x'.repeat(257), /at most 256 characters/],
    ];
    for (const [text, reason] of cases) {
      const refused = await refusal(h.rpc.request('console.command', command(actor, text)));
      expect(refused.code).toBe('VALIDATION_FAILED');
      expect(refused.message).toMatch(reason);
    }
    // Under the protocol's cap but over this deployment's limit.
    const long = await refusal(h.rpc.request('console.command', command(actor, `say ${'x'.repeat(150)}`)));
    expect(long).toMatchObject({ code: 'VALIDATION_FAILED', message: 'command: must be at most 100 characters' });
  });

  it('are refused while the server does not run', async () => {
    const stopped = randomUUID();
    h.grants.set(`${alice.userId}:${stopped}`, ['control.command']);
    const refused = await refusal(h.rpc.request('console.command', command(alice, 'list', stopped)));
    expect(refused).toMatchObject({ code: 'CONFLICT', message: 'the server is not running' });
  });
});

describe('stats of a watched server', () => {
  it('carry CPU and memory from metrics.k8s.io, the limits, and the players online', async () => {
    const frames = h.record('gw-a', serverId);
    const lease = await h.hold('gw-a', serverId, 0);
    sim.control.addPlayer(h.namespace, h.podName(serverId), 'herobrine');
    const stats = await waitFor(
      'stats with players and usage',
      () => frames.of('stats').find((s) => s.players?.names.includes('herobrine') && s.cpuMillicores !== null),
      { timeoutMs: 10_000 },
    );
    expect(stats).toMatchObject({ serverId, cpuLimitMillicores: 1000, memoryLimitBytes: 2 * 2 ** 30 });
    expect(stats.players).toEqual({
      online: stats.players?.names.length,
      max: 20,
      names: expect.arrayContaining(['herobrine']),
    });
    expect(stats.cpuMillicores).toBeGreaterThan(0);
    expect(stats.memoryBytes).toBeGreaterThan(0);
    // The players count is asked over RCON without a word in the console (a query, as on a real server).
    expect(frames.texts().some((t) => t.includes('players online'))).toBe(false);
    await lease.release();
  });
});
