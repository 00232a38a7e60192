import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { DomainError } from '@blockplane/contracts';
import { waitFor } from '@blockplane/testing';
import { type KubeSim, startKubeSim } from '@blockplane/kube-sim';
import { type ConsoleHarness, simulatorOptions, startConsoleHarness } from './console-test.spec-support.js';

const FLOOD_LINES = 1_000;
let sim: KubeSim;
let h: ConsoleHarness;

beforeAll(async () => {
  const options = await simulatorOptions();
  sim = await startKubeSim(options);
  h = await startConsoleHarness(
    { ...sim, rconPort: options.rconPort },
    {
      CONSOLE_BACKLOG_LINES: '20',
      CONSOLE_RING_LINES: '200',
      CONSOLE_LEASE_MS: '1000',
      CONSOLE_FLOOD_LINES: String(FLOOD_LINES),
      CONSOLE_FLOOD_WINDOW_MS: '1000',
      CONSOLE_STATS_INTERVAL_MS: '600000',
    },
  );
}, 30_000);
afterAll(async () => {
  await h?.close();
  await sim?.stop();
});

const write = (serverId: string, lines: string[]) => sim.control.writeLog(h.namespace, h.podName(serverId), lines);
const range = (from: number, count: number, prefix: string) =>
  Array.from({ length: count }, (_, i) => `${prefix} ${from + i}`);
const upstreamStreams = () => h.metric('panel_console_upstream_streams');

/** Consecutive seq numbers from one epoch: nothing lost, nothing repeated. */
function expectConsecutive(seqs: number[]): void {
  expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] ?? 0) + i));
}

describe('a watched server’s stream', () => {
  let serverId: string;

  beforeAll(async () => {
    serverId = await h.createServer();
    // The first watch asks the server's players over RCON, and the server logs the RCON client it accepts:
    // watched once here, that line comes before the tests' own lines, not among them.
    const frames = h.record('gw-a', serverId);
    const lease = await h.hold('gw-a', serverId, 0);
    await waitFor('the first stats', () => frames.of('stats').length > 0, { timeoutMs: 5_000 });
    await lease.release();
  }, 30_000);

  it('replays the last lines on attach, then streams new ones in order', async () => {
    write(serverId, range(1, 30, 'before'));
    const frames = h.record('gw-a', serverId);
    const lease = await h.hold('gw-a', serverId);
    const { backlog } = lease;
    expect(backlog.lines.map((l) => l.text)).toEqual(range(11, 20, 'before'));
    expect(backlog.status).toEqual({ status: 'running', reason: null });
    expectConsecutive(backlog.lines.map((l) => l.seq));

    write(serverId, range(1, 5, 'after'));
    await waitFor('the live lines', () => frames.texts().includes('after 5'));
    const last = backlog.lines.at(-1)?.seq ?? -1;
    const live = frames.lines().filter((line) => line.seq > last);
    expect(live.map((l) => l.text)).toEqual(range(1, 5, 'after'));
    expect(live[0]?.seq).toBe(last + 1);
    expect(frames.of('output').every((frame) => frame.epoch === backlog.epoch)).toBe(true);

    // The lines after a position, for a gateway that saw a gap; or word that they are gone.
    const position = backlog.lines.at(-3);
    if (!position) throw new Error('no backlog');
    const after = await h.rpc.request('console.attach', {
      holder: 'gw-a',
      serverId,
      after: { epoch: backlog.epoch, seq: position.seq },
    });
    expect(after.complete).toBe(true);
    expect(after.lines.map((l) => l.text)).toEqual(['before 29', 'before 30', ...range(1, 5, 'after')]);
    const stale = await h.rpc.request('console.attach', {
      holder: 'gw-a',
      serverId,
      lines: 3,
      after: { epoch: 'another-run', seq: 0 },
    });
    expect(stale).toMatchObject({
      complete: false,
      lines: [{ text: 'after 3' }, { text: 'after 4' }, { text: 'after 5' }],
    });
    await lease.release();
  });

  it('opens ONE upstream stream however many gateways hold leases, and closes it with the last', async () => {
    // A server of its own: another test's stats, still on their way, cannot pass for its first ones.
    const server = await h.createServer();
    const stats = h.record('gw-a', server);
    const a = await h.hold('gw-a', server);
    await waitFor('the follow to be open', async () => (await upstreamStreams()) === 1);
    // A newly watched server's first stats ask the metrics API (and open its RCON session) before the count.
    await waitFor('the first stats', () => stats.of('stats').length > 0);
    const requests = h.kubeRequests.count;
    const b = await h.hold('gw-b', server);
    await h.rpc.request('console.attach', { holder: 'gw-c', serverId: server, lines: 0 });
    expect(await h.rpc.request('console.renew', { holder: 'gw-b', serverIds: [server] })).toEqual({ lost: [] });
    expect(h.kubeRequests.requests.slice(requests)).toEqual([]);

    await a.release();
    await b.release();
    expect(await upstreamStreams()).toBe(1);
    // gw-c never renews: its lease runs out, and the last lease takes the stream with it.
    await waitFor('the stream to close', async () => (await upstreamStreams()) === 0, { timeoutMs: 5_000 });
    await waitFor('the simulator to see no follow', () => sim.control.cutStreams('log') === 0);
    expect(await h.rpc.request('console.renew', { holder: 'gw-c', serverIds: [server] })).toEqual({
      lost: [server],
    });
  }, 30_000);

  it('sends each frame to every gateway holding a lease, and none to one that let go', async () => {
    const [a, b] = [h.record('gw-a', serverId), h.record('gw-b', serverId)];
    const leaseA = await h.hold('gw-a', serverId, 0);
    const leaseB = await h.hold('gw-b', serverId, 0);
    write(serverId, ['to both']);
    await waitFor(
      'both gateways to get the line',
      () => a.texts().includes('to both') && b.texts().includes('to both'),
    );
    await leaseB.release();
    write(serverId, ['to a only']);
    await waitFor('gw-a to get the line', () => a.texts().includes('to a only'));
    expect(b.texts()).toEqual(['to both']);
    await leaseA.release();
  });

  it('resumes a cut stream with nothing lost and nothing repeated', async () => {
    const frames = h.record('gw-a', serverId);
    const lease = await h.hold('gw-a', serverId);
    const start = (lease.backlog.lines.at(-1)?.seq ?? -1) + 1;
    let written = 0;
    // Twenty lines a batch, written in the same millisecond: only their position tells them apart.
    const batch = () => {
      write(serverId, range(written, 20, 'cut'));
      written += 20;
    };
    for (let cut = 0; cut < 3; cut++) {
      batch();
      await waitFor(
        'an open stream to cut',
        () => sim.control.cutStreams('log', h.namespace, h.podName(serverId)) === 1,
      );
      batch(); // while the stream is down
    }
    batch();
    await waitFor('every line', () => frames.texts().includes(`cut ${written - 1}`), { timeoutMs: 5_000 });
    await new Promise((resolve) => setTimeout(resolve, 200)); // time for a repeat to show up, if there were one
    const live = frames.lines().filter((line) => line.seq >= start);
    expect(live.map((l) => l.text)).toEqual(range(0, written, 'cut'));
    expectConsecutive(live.map((l) => l.seq));
    await lease.release();
  });

  it('marks a container restart and follows the new run from its first line', async () => {
    const frames = h.record('gw-a', serverId);
    const lease = await h.hold('gw-a', serverId);
    write(serverId, ['last words of the old run']);
    sim.control.crashPod(h.namespace, h.podName(serverId));
    await waitFor('the marker', () => frames.texts('marker').length > 0, { timeoutMs: 10_000 });
    await waitFor('the new run to boot', () => frames.texts().some((t) => t.includes('Done (')), { timeoutMs: 10_000 });
    const lines = frames.lines();
    const marker = lines.findIndex((line) => line.kind === 'marker');
    expect(lines[marker]?.text).toMatch(/container restarted \(restart 1\)/);
    expect(lines.slice(0, marker).some((line) => line.text === 'last words of the old run')).toBe(true);
    // The new run's output starts with the image's first lines, none of the old run's after the marker.
    const after = lines.slice(marker + 1).filter((line) => line.kind === 'output');
    expect(after[0]?.text).toMatch(/^\[init\] Running as uid=/);
    expect(after.some((line) => line.text === 'last words of the old run')).toBe(false);
    expectConsecutive(lines.map((l) => l.seq));
    await lease.release();
  });

  it('opened just after a restart it has not heard of yet, shows the new run once, with no marker', async () => {
    const server = await h.createServer();
    // The console hears of the restart only later, as a lagging watch would tell it.
    const deliverWatches = h.kubeRequests.holdWatches();
    sim.control.crashPod(h.namespace, h.podName(server));
    await h.runReady(server, 1);
    const frames = h.record('gw-a', server);
    const attached = h.hold('gw-a', server, 200);
    await new Promise((resolve) => setTimeout(resolve, 100)); // the stream opens on what the console knows
    deliverWatches();
    const lease = await attached;
    write(server, ['after the restart']);
    await waitFor('the live line', () => frames.texts().includes('after the restart'));
    // Exactly the new run's log, as the cluster serves it, and nothing in between.
    const log = await h.core.readNamespacedPodLog({ name: h.podName(server), namespace: h.namespace });
    const served = log.split('\n').filter(Boolean);
    const shown = [...lease.backlog.lines, ...frames.lines()].map((line) => `${line.kind} ${line.text}`);
    const upTo = (lines: string[]) => lines.slice(0, lines.indexOf('output after the restart') + 1);
    expect(upTo(shown)).toEqual(upTo(served.map((text) => `output ${text}`)));
    expect(upTo(shown).at(-1)).toBe('output after the restart');
    expect(shown[0]).toMatch(/^output \[init\] Running as uid=/);
    await lease.release();
  }, 30_000);

  it('starts from the panel’s status, then relays each transition it announces, with a line in the console', async () => {
    h.statuses.set(serverId, { status: 'running', reason: null });
    const frames = h.record('gw-a', serverId);
    const lease = await h.hold('gw-a', serverId);
    expect(lease.backlog.status).toEqual({ status: 'running', reason: null });
    // A change made before the status was read is in the answer already: relayed late, it changes nothing.
    await h.announce(serverId, { status: 'starting', reason: null }, new Date(Date.now() - 60_000));
    h.statuses.set(serverId, { status: 'running', reason: null });
    await h.announce(serverId, { status: 'stopping', reason: null });
    await h.announce(serverId, { status: 'error', reason: 'OOMKilled' });
    await waitFor('the relayed statuses', () => frames.of('status').length === 2, { timeoutMs: 10_000 });
    expect(frames.of('status').map(({ status, reason }) => ({ status, reason }))).toEqual([
      { status: 'stopping', reason: null },
      { status: 'error', reason: 'OOMKilled' },
    ]);
    await waitFor('the notices', () => frames.texts('notice').length === 2);
    expect(frames.texts('notice')).toEqual(['── server stopping ──', '── server error: OOMKilled ──']);
    const backlog = await h.rpc.request('console.attach', { holder: 'gw-a', serverId, lines: 1 });
    expect(backlog.status).toEqual({ status: 'error', reason: 'OOMKilled' });
    await lease.release();
  });

  it('sends a newly watched server’s stats at once, not with the next round (here ten minutes away)', async () => {
    const fresh = await h.createServer();
    const frames = h.record('gw-a', fresh);
    const lease = await h.hold('gw-a', fresh, 0);
    await waitFor('the first stats', () => frames.of('stats').length > 0, { timeoutMs: 5_000 });
    expect(frames.of('stats')[0]).toMatchObject({ serverId: fresh, players: { online: 0 } });
    await lease.release();
  }, 30_000);

  it('relays nothing for a server nobody watches', async () => {
    const unwatched = randomUUID();
    const frames = h.record('gw-a', unwatched);
    await h.announce(unwatched, { status: 'starting', reason: null });
    // The relay's consumer has handled it once a later change of a watched server arrives.
    const watched = h.record('gw-a', serverId);
    const lease = await h.hold('gw-a', serverId);
    await h.announce(serverId, { status: 'running', reason: null });
    await waitFor('the watched server’s change', () => watched.of('status').length === 1, { timeoutMs: 10_000 });
    expect(frames.frames).toEqual([]);
    await lease.release();
  });
});

describe('a server that floods its console', () => {
  it('drops output beyond the limit and says how much, with every seq still consecutive', async () => {
    const serverId = await h.createServer();
    const frames = h.record('gw-a', serverId);
    const lease = await h.hold('gw-a', serverId, 0);
    // The first stats' RCON session makes the server print a line: before the flood, not among it.
    await waitFor('the first stats', () => frames.of('stats').length > 0, { timeoutMs: 5_000 });
    const flood = 3 * FLOOD_LINES;
    write(serverId, range(0, flood, 'flood'));
    await waitFor('the throttle notice', () => frames.texts('notice').some((t) => t.includes('lines not shown')), {
      timeoutMs: 5_000,
    });
    const shown = frames.texts().filter((t) => t.startsWith('flood ')).length;
    expect(shown).toBeGreaterThan(0);
    expect(shown).toBeLessThanOrEqual(FLOOD_LINES);
    expect(frames.texts('notice')).toContain(
      `── ${flood - shown} lines not shown: the server printed more than ${FLOOD_LINES} lines in 1000 ms ──`,
    );
    expectConsecutive(frames.lines().map((l) => l.seq));
    await lease.release();
  }, 30_000);
});

describe('bad requests', () => {
  it('are refused with the field and what it expects', async () => {
    const refusal = (request: Promise<unknown>) =>
      request.then(
        () => undefined,
        (error: unknown) => (error instanceof DomainError ? error : undefined),
      );
    const serverId = randomUUID();
    for (const holder of ['gw a/b', 'gw.a', 'gw-*', '']) {
      const badHolder = await refusal(h.rpc.request('console.attach', { holder, serverId }));
      expect(badHolder?.code).toBe('VALIDATION_FAILED');
      expect(badHolder?.message).toMatch(/holder/);
    }
    const tooMany = await refusal(h.rpc.request('console.attach', { holder: 'gw-a', serverId, lines: 5000 }));
    expect(tooMany?.message).toMatch(/lines/);
    const notUuid = await refusal(h.rpc.request('console.detach', { holder: 'gw-a', serverId: 'mc-1' }));
    expect(notUuid?.message).toMatch(/serverId/);
  });
});
