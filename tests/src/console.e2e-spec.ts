import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { ActivityPage, ConsoleLine, Server } from '@blockplane/contracts';
import { ConsoleViewer, GatewayClient, type Stack, startStack, waitFor } from '@blockplane/testing';
import { type Account, AccessKit } from './access-kit.js';
import { range, SimulatedServer, Viewers } from './console-kit.js';

/**
 * Issue #6 end to end: the real gateway socket, console service, servers service and simulator. Every
 * socket of this stack is told of its token's end at once (CONSOLE_TOKEN_NOTICE_SECONDS: 898 of auth's 900
 * second tokens), so the `token.expiring` test needs no wait; the other tests look past that notice.
 */
let stack: Stack;
let kit: AccessKit;
let owner: Account;
let friend: Account;
let stranger: Account;
let server: Server;
let sim: SimulatedServer;
let viewers: Viewers;

/** Consecutive seq numbers: nothing lost, nothing repeated. */
function expectConsecutive(lines: ConsoleLine[]): void {
  const seqs = lines.map((line) => line.seq);
  expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] ?? 0) + i));
}

/** What a viewer received besides the token notice every socket of this stack gets. */
const besidesNotice = (viewer: ConsoleViewer) => viewer.received.filter((entry) => entry.event !== 'token.expiring');

beforeAll(async () => {
  stack = await startStack({ env: { CONSOLE_TOKEN_NOTICE_SECONDS: '898' } });
  kit = new AccessKit(stack);
  viewers = new Viewers(stack.gatewayUrl);
  [owner, friend, stranger] = await Promise.all([kit.signUp(), kit.signUp(), kit.signUp()]);
  await kit.knownToServers(friend);
  server = await kit.createServer(owner.client);
  await owner.client.waitForStatus(server.id, 'running', 30_000);
  await kit.invite(owner.client, server.id, friend, ['control.console', 'control.command']);
  sim = new SimulatedServer(stack, server.id);
}, 120_000);
afterAll(async () => {
  viewers?.closeAll();
  await stack?.stop();
}, 30_000);

describe('the live console', () => {
  it('replays the last lines on join, then streams new ones in order', async () => {
    await sim.print(range(1, 20, 'before'));
    const viewer = await viewers.connect(owner.session.accessToken);
    expect(await viewer.send('join', { serverId: server.id })).toEqual({ ok: true, data: { serverId: server.id } });
    const [status, replay] = besidesNotice(viewer);
    expect(status).toEqual({ event: 'status', payload: { serverId: server.id, status: 'running', reason: null } });
    expect(replay?.event).toBe('console.output');
    const replayed = viewer.texts(server.id).filter((text) => text.startsWith('before '));
    expect(replayed).toEqual(range(1, 20, 'before'));

    await sim.print(range(1, 5, 'after'));
    await viewer.until('the live lines', () => viewer.texts(server.id).includes('after 5'));
    expect(viewer.texts(server.id).filter((text) => /^(before|after) /.test(text))).toEqual([
      ...range(1, 20, 'before'),
      ...range(1, 5, 'after'),
    ]);
    expectConsecutive(viewer.lines(server.id));
  });

  it('runs a command and answers its sender only; the console records it', async () => {
    await sim.addPlayer('alex');
    const [sender, watcher] = [
      await viewers.connect(owner.session.accessToken),
      await viewers.connect(friend.session.accessToken),
    ];
    await watcher.send('join', { serverId: server.id });
    const answer = await sender.send('command', { serverId: server.id, command: 'list' });
    expect(answer).toMatchObject({ ok: true, data: { serverId: server.id, command: 'list' } });
    if (!answer.ok) throw new Error('no answer');
    expect(answer.data.output).toMatch(/^There are 1 of a max of \d+ players online: alex$/);
    expect(sender.of('command.result')).toEqual([answer.data]);
    expect(watcher.of('command.result')).toEqual([]);
    const log = await waitFor('the command in the activity log', async () => {
      const page = await owner.client.request<ActivityPage>('GET', `servers/${server.id}/activity`);
      return page.body.entries.find((entry) => entry.action === 'console.command');
    });
    expect(log).toMatchObject({ actorId: owner.user.id, serverId: server.id, details: { command: 'list' } });
  });

  it('tells viewers of stop and start in the panel’s words, and records the power actions', async () => {
    const viewer = await viewers.connect(owner.session.accessToken);
    await viewer.send('join', { serverId: server.id });
    const statuses = () => viewer.of('status').map((event) => event.status);
    expect(await viewer.send('power', { serverId: server.id, action: 'stop' })).toMatchObject({
      ok: true,
      data: { serverId: server.id, status: 'stopping' },
    });
    await viewer.until('stopped', () => statuses().includes('stopped'), 30_000);
    expect(await viewer.send('power', { serverId: server.id, action: 'start' })).toMatchObject({
      ok: true,
      data: { status: 'starting' },
    });
    await viewer.until(
      'running again',
      () => statuses().lastIndexOf('running') > statuses().indexOf('stopped'),
      30_000,
    );
    // Consecutive repeats folded (a reason may change within a status).
    const sequence = statuses().filter((status, i, all) => status !== all[i - 1]);
    expect(sequence).toEqual(['running', 'stopping', 'stopped', 'starting', 'running']);
    expect(viewer.texts(server.id, 'notice')).toEqual(
      expect.arrayContaining(['── server stopping ──', '── server stopped ──', '── server running ──']),
    );
    const page = await owner.client.request<ActivityPage>('GET', `servers/${server.id}/activity`);
    const power = page.body.entries.filter((entry) => entry.action === 'server.power').map((entry) => entry.details);
    expect(power).toEqual([{ action: 'start' }, { action: 'stop' }]);
  }, 60_000);

  it('marks a container restart and goes on with the new run', async () => {
    const viewer = await viewers.connect(owner.session.accessToken);
    await viewer.send('join', { serverId: server.id });
    await sim.print(['last words of the old run']);
    await viewer.until('the old run’s last line', () => viewer.texts(server.id).includes('last words of the old run'));
    await sim.crash();
    // What came after the old run's last line (the replay holds the markers of earlier runs).
    const since = () => {
      const lines = viewer.lines(server.id);
      return lines.slice(lines.findIndex((line) => line.text === 'last words of the old run') + 1);
    };
    await viewer.until('the marker', () => since().some((line) => line.kind === 'marker'), 20_000);
    const marker = since().find((line) => line.kind === 'marker');
    expect(marker?.text).toMatch(/container restarted \(restart 1\)/);
    await viewer.until('the new run', () => since().some((line) => line.text.includes('Done (')), 20_000);
    const after = since();
    const markerAt = after.findIndex((line) => line.kind === 'marker');
    expect(after.slice(markerAt).some((line) => line.text === 'last words of the old run')).toBe(false);
    expect(after.findIndex((line) => line.text.includes('Done ('))).toBeGreaterThan(markerAt);
    await owner.client.waitForStatus(server.id, 'running', 30_000);
  }, 60_000);

  it('loses and repeats nothing when the upstream stream is cut', async () => {
    const viewer = await viewers.connect(owner.session.accessToken);
    await viewer.send('join', { serverId: server.id });
    let written = 0;
    const batch = async () => {
      await sim.print(range(written, 20, 'cut'));
      written += 20;
    };
    for (let cut = 0; cut < 3; cut++) {
      await batch();
      await waitFor('an open stream to cut', async () => (await sim.cutLogStreams()) === 1);
      await batch(); // while the stream is down
    }
    await batch();
    await viewer.until('every line', () => viewer.texts(server.id).includes(`cut ${written - 1}`));
    const lines = viewer.lines(server.id);
    expect(lines.filter((line) => line.text.startsWith('cut ')).map((line) => line.text)).toEqual(
      range(0, written, 'cut'),
    );
    // The server's own lines may come between them: every line since the first, consecutive.
    expectConsecutive(lines.slice(lines.findIndex((line) => line.text === 'cut 0')));
  });

  it('limits commands per user and server: a burst, then one a second', async () => {
    const viewer = await viewers.connect(friend.session.accessToken);
    const answers = [];
    for (let i = 0; i < 12; i++) answers.push(await viewer.send('command', { serverId: server.id, command: 'seed' }));
    const limited = answers.filter((answer) => !answer.ok);
    expect(answers.slice(0, 10).every((answer) => answer.ok)).toBe(true);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]).toMatchObject({
      ok: false,
      error: { code: 'RATE_LIMITED', details: { retryAfterMs: expect.any(Number) } },
    });
  });

  it('answers bad events with a clear error each, and nothing else', async () => {
    const viewer = await viewers.connect(owner.session.accessToken);
    const others = await viewers.connect(stranger.session.accessToken);
    const bad: [ConsoleViewer, string, unknown, string][] = [
      [viewer, 'shout', { serverId: server.id }, 'VALIDATION_FAILED'],
      [viewer, 'join', {}, 'VALIDATION_FAILED'],
      [viewer, 'command', { serverId: server.id, command: 'x'.repeat(300) }, 'VALIDATION_FAILED'],
      [viewer, 'command', { serverId: server.id, command: 'say hi\nop mallory' }, 'VALIDATION_FAILED'],
      [others, 'join', { serverId: server.id }, 'NOT_FOUND'],
      [others, 'command', { serverId: server.id, command: 'op mallory' }, 'NOT_FOUND'],
    ];
    for (const [who, event, payload, code] of bad) {
      expect(await who.sendRaw(event, [payload])).toMatchObject({ ok: false, error: { code } });
    }
    await viewer.until('the errors', () => besidesNotice(viewer).length === 4);
    await others.until('the errors', () => besidesNotice(others).length === 2);
    expect(besidesNotice(viewer).map((entry) => entry.event)).toEqual(['error', 'error', 'error', 'error']);
    expect(besidesNotice(others).map((entry) => entry.event)).toEqual(['error', 'error']);
    expect(viewer.of('error').map((error) => [error.event, error.code])).toEqual([
      ['unknown', 'VALIDATION_FAILED'],
      ['join', 'VALIDATION_FAILED'],
      ['command', 'VALIDATION_FAILED'],
      ['command', 'VALIDATION_FAILED'],
    ]);
    // The rejected command never ran.
    const page = await owner.client.request<ActivityPage>('GET', `servers/${server.id}/activity`);
    expect(JSON.stringify(page.body)).not.toContain('mallory');
  });

  it('refuses a handshake from a browser page of another origin, and one without a credential', async () => {
    const foreign = await ConsoleViewer.refusal(stack.gatewayUrl, {
      token: owner.session.accessToken,
      origin: 'https://evil.example',
    });
    expect(foreign.message).toBe('websocket error');
    const anonymous = await ConsoleViewer.refusal(stack.gatewayUrl);
    expect(anonymous.data?.code).toBe('UNAUTHENTICATED');
  });

  it('makes a removed sub-user leave within 2 s, with an error', async () => {
    const viewer = await viewers.connect(friend.session.accessToken);
    await viewer.send('join', { serverId: server.id });
    await kit.removeSubuser(owner.client, server.id, friend.user.id);
    await viewer.until('the revocation', () => viewer.of('error').length === 1, 2_000);
    expect(viewer.of('error')).toEqual([
      expect.objectContaining({ code: 'NOT_FOUND', event: 'connection', details: { serverId: server.id } }),
    ]);
    const seen = viewer.lines(server.id).length;
    await sim.print(['after the removal']);
    // The owner sees the line; the removed sub-user does not.
    const ownerViewer = await viewers.connect(owner.session.accessToken);
    await ownerViewer.send('join', { serverId: server.id });
    await sim.print(['seen by the owner']);
    await ownerViewer.until('the owner’s line', () => ownerViewer.texts(server.id).includes('seen by the owner'));
    expect(viewer.lines(server.id)).toHaveLength(seen);
  });

  it('announces the token’s end and takes a fresh token on the same socket', async () => {
    const viewer = await viewers.connect(owner.session.accessToken);
    await viewer.until('the notice', () => viewer.of('token.expiring').length === 1);
    const [notice] = viewer.of('token.expiring');
    const fresh = await new GatewayClient(stack.gatewayUrl).login(owner.user.email);
    const answer = await viewer.send('auth', { token: fresh.accessToken });
    expect(answer).toMatchObject({ ok: true });
    if (!answer.ok || !notice) throw new Error('no answer');
    expect(Date.parse(answer.data.expiresAt)).toBeGreaterThan(Date.parse(notice.expiresAt));
    expect(await viewer.send('join', { serverId: server.id })).toMatchObject({ ok: true });
    await viewer.until('the fresh token’s notice', () => viewer.of('token.expiring').length === 2);
  });
});
