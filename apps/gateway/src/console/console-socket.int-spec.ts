import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import {
  type Actor,
  API_KEY_PREFIX,
  type ConsoleFrame,
  consoleFramesSubject,
  type ConsoleLine,
  DomainError,
  type Permission,
  permissions,
  type ServerAccess,
} from '@blockplane/contracts';
import { EventPublisher, NatsConnection } from '@blockplane/messaging';
import { createLogger } from '@blockplane/observability';
import { ConsoleViewer, testEnv, waitFor } from '@blockplane/testing';
import { aServer, GatewayTestKit } from '../testing/gateway-test-kit.js';
import { ConsoleFeeds } from './console-feeds.js';

const PANEL = 'https://panel.example.com';
/** CONSOLE_VIEWER_MAX_LAG_MS here. */
const MAX_LAG_MS = 100;

/** The console service as the gateway sees it: one server's stream (its run and lines) and its live frames. */
class StandInStream {
  epoch = randomUUID();
  readonly lines: ConsoleLine[] = [];

  constructor(
    readonly serverId: string,
    private readonly nats: NatsConnection,
    /** The gateway's lease holder name, whose live subject gets the frames. */
    private readonly holder: string,
  ) {}

  /** The server prints: the lines join the ring; `publish: false` loses their frame on the way. */
  print(texts: string[], { publish = true } = {}): ConsoleLine[] {
    const next = (this.lines.at(-1)?.seq ?? -1) + 1;
    const time = new Date().toISOString();
    const printed = texts.map((text, i) => ({ seq: next + i, time, kind: 'output' as const, text }));
    this.lines.push(...printed);
    if (publish) this.frame({ type: 'output', serverId: this.serverId, epoch: this.epoch, lines: printed });
    return printed;
  }

  frame(frame: ConsoleFrame): void {
    this.nats.connection.publish(this.nats.liveSubject(consoleFramesSubject(this.holder)), JSON.stringify([frame]));
  }

  /** The console restarted: a new run, nothing of the old one kept. */
  restart(): void {
    this.epoch = randomUUID();
    this.lines.length = 0;
  }

  /** `console.attach` as the console answers it (its ring keeps every line here). */
  backlog(lines: number, after?: { epoch: string; seq: number }) {
    const rest = after?.epoch === this.epoch ? this.lines.filter((line) => line.seq > after.seq) : undefined;
    return {
      serverId: this.serverId,
      epoch: this.epoch,
      lines: rest ?? this.lines.slice(-lines),
      complete: after === undefined || rest !== undefined,
      status: { status: 'running' as const, reason: null },
      leaseMs: 3_000,
    };
  }
}

describe('the console socket', () => {
  let kit: GatewayTestKit;
  let nats: NatsConnection;
  let events: EventPublisher;
  const streams = new Map<string, StandInStream>();
  /** What `servers.access` answers, by `userId:serverId`; none is NOT_FOUND. */
  const grants = new Map<string, ServerAccess>();
  const viewers: ConsoleViewer[] = [];

  const anActor = (): Actor => ({ userId: randomUUID(), role: 'user' });
  const stream = (serverId = randomUUID()) => {
    const created = new StandInStream(serverId, nats, kit.app.get(ConsoleFeeds).holder);
    streams.set(serverId, created);
    return created;
  };
  const grant = (actor: Actor, serverId: string, granted: readonly Permission[] = permissions) =>
    grants.set(`${actor.userId}:${serverId}`, {
      serverId,
      ownerId: randomUUID(),
      kind: 'subuser',
      permissions: actor.apiKey ? granted.filter((p) => actor.apiKey?.permissions.includes(p)) : [...granted],
    });
  const connect = async (token: string, origin?: string) => {
    const viewer = await ConsoleViewer.connect(kit.url, { token, ...(origin ? { origin } : {}) });
    viewers.push(viewer);
    return viewer;
  };
  const as = async (actor: Actor) => connect(await kit.token({ actor }));
  /** A new server's stream and a viewer (with every permission) that joined it. */
  const watching = async () => {
    const server = stream();
    const actor = anActor();
    grant(actor, server.serverId);
    const viewer = await as(actor);
    await viewer.send('join', { serverId: server.serverId });
    return { server, viewer };
  };
  /** An API key of `actor` narrowed to `granted`, as auth verifies it. */
  const keyOf = (actor: Actor, granted: Permission[]) => {
    const key = `${API_KEY_PREFIX}${randomUUID().replaceAll('-', '').slice(0, 16)}_${randomUUID()}`;
    const keyActor: Actor = { ...actor, apiKey: { id: randomUUID(), permissions: granted } };
    keys.set(key, keyActor);
    return { key, actor: keyActor };
  };
  const keys = new Map<string, Actor>();
  const attaches = (serverId: string) =>
    (kit.received.get('console.attach') ?? []).filter((r) => (r as { serverId: string }).serverId === serverId);
  const detaches = (serverId: string) =>
    (kit.received.get('console.detach') ?? []).filter((r) => (r as { serverId: string }).serverId === serverId);

  beforeAll(async () => {
    kit = await GatewayTestKit.start({
      CORS_ORIGINS: PANEL,
      CONSOLE_BACKLOG_LINES: '5',
      CONSOLE_VIEWER_MAX_LAG_MS: String(MAX_LAG_MS),
    });
    nats = await NatsConnection.open(
      { url: testEnv.natsUrl, namespace: kit.namespace },
      'console-socket-test',
      createLogger('console-socket-test', { level: 'silent' }),
    );
    events = new EventPublisher(nats);
    kit.answer('servers.access', ({ actor, serverId }) => {
      const access = grants.get(`${actor.userId}:${serverId}`);
      if (!access) throw new DomainError('NOT_FOUND', `server ${serverId} not found`);
      return access;
    });
    kit.answer('auth.verify-api-key', ({ key }) => {
      const actor = keys.get(key);
      if (!actor) throw new DomainError('UNAUTHENTICATED', 'invalid API key');
      return actor;
    });
    kit.answer('console.attach', ({ serverId, lines, after }) => {
      const known = streams.get(serverId);
      if (!known) throw new Error(`no stand-in stream for ${serverId}`);
      return known.backlog(lines ?? 150, after);
    });
    kit.answer('console.renew', () => ({ lost: [] }));
    kit.answer('console.detach', () => ({}));
    kit.answer('console.command', ({ serverId, command }) => ({ serverId, command, output: `ran ${command}` }));
    kit.answer('servers.power', ({ serverId }) => aServer({ id: serverId, status: 'starting' }));
  });
  afterAll(async () => {
    for (const viewer of viewers) viewer.close();
    await nats?.close();
    await kit?.close();
  });

  describe('handshake', () => {
    it('refuses a socket without a valid credential, naming why', async () => {
      const missing = await ConsoleViewer.refusal(kit.url);
      expect(missing.data).toEqual({ code: 'UNAUTHENTICATED', message: 'a valid access token or API key is required' });
      expect((await ConsoleViewer.refusal(kit.url, { token: 'not-a-token' })).data?.code).toBe('UNAUTHENTICATED');
      const expired = await kit.token({ expiresAt: Math.floor(Date.now() / 1000) - 10 });
      expect((await ConsoleViewer.refusal(kit.url, { token: expired })).data?.code).toBe('UNAUTHENTICATED');
      const revokedKey = `${API_KEY_PREFIX}${'0'.repeat(16)}_${randomUUID()}`;
      expect((await ConsoleViewer.refusal(kit.url, { token: revokedKey })).data?.code).toBe('UNAUTHENTICATED');
      const badVersion = await ConsoleViewer.refusal(kit.url, { auth: { token: await kit.token(), version: 2 } });
      expect(badVersion.data?.code).toBe('VALIDATION_FAILED');
    });

    it('refuses a suspended account', async () => {
      const actor = anActor();
      const token = await kit.token({ actor });
      kit.principals.set(actor.userId, { userId: actor.userId, role: 'user', status: 'suspended' });
      expect((await ConsoleViewer.refusal(kit.url, { token })).data).toEqual({
        code: 'FORBIDDEN',
        message: 'account is suspended',
      });
    });

    it('refuses a browser page of another origin before any handshake, and takes the panel’s', async () => {
      const token = await kit.token();
      const foreign = await ConsoleViewer.refusal(kit.url, { token, origin: 'https://evil.example' });
      expect(foreign.data).toBeUndefined();
      expect(foreign.message).toBe('websocket error');
      const panel = await connect(token, PANEL);
      expect(panel.socket.connected).toBe(true);
    });
  });

  describe('watching a server', () => {
    it('replays the last lines on join, streams new ones, and holds ONE lease for all viewers', async () => {
      const server = stream();
      server.print(['one', 'two', 'three', 'four', 'five', 'six', 'seven']);
      const [alice, bob] = [anActor(), anActor()];
      grant(alice, server.serverId);
      grant(bob, server.serverId);
      const a = await as(alice);
      expect(await a.send('join', { serverId: server.serverId })).toEqual({
        ok: true,
        data: { serverId: server.serverId },
      });
      // The status, then the last five lines (CONSOLE_BACKLOG_LINES), then live lines.
      expect(a.received.slice(0, 2)).toEqual([
        { event: 'status', payload: { serverId: server.serverId, status: 'running', reason: null } },
        { event: 'console.output', payload: { serverId: server.serverId, lines: server.lines.slice(-5) } },
      ]);
      server.print(['eight']);
      await a.until('the live line', () => a.texts(server.serverId).includes('eight'));

      const b = await as(bob);
      await b.send('join', { serverId: server.serverId });
      expect(b.texts(server.serverId)).toEqual(['four', 'five', 'six', 'seven', 'eight']);
      server.print(['nine']);
      await b.until('the live line', () => b.texts(server.serverId).includes('nine'));
      await a.until('the live line', () => a.texts(server.serverId).includes('nine'));
      expect(a.texts(server.serverId)).toEqual(['three', 'four', 'five', 'six', 'seven', 'eight', 'nine']);
      expect(attaches(server.serverId)).toHaveLength(1);

      // The lease goes with the last viewer: a leave, then a disconnect.
      expect(await a.send('leave', { serverId: server.serverId })).toEqual({
        ok: true,
        data: { serverId: server.serverId },
      });
      expect(detaches(server.serverId)).toHaveLength(0);
      b.close();
      await waitFor('the lease to be given back', () => detaches(server.serverId).length === 1);
      expect(kit.app.get(ConsoleFeeds).watched()).not.toContain(server.serverId);
      server.print(['ten']);
      await new Promise((resolve) => setTimeout(resolve, 100)); // time for a stray line to arrive
      expect(a.texts(server.serverId)).not.toContain('ten');
    });

    it('fills a lost frame from the console, once and in order; a new run comes after a notice', async () => {
      const { server, viewer } = await watching();
      server.print(['a1', 'a2']);
      server.print(['a3', 'a4'], { publish: false });
      server.print(['a5']);
      await viewer.until('the lost lines', () => viewer.texts(server.serverId).includes('a5'));
      expect(viewer.texts(server.serverId)).toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);
      expect(attaches(server.serverId).at(-1)).toMatchObject({ after: { epoch: server.epoch, seq: 1 } });

      server.restart();
      server.print(['b1', 'b2'], { publish: false });
      server.print(['b3']);
      await viewer.until('the new run', () => viewer.texts(server.serverId).includes('b3'));
      expect(viewer.lines(server.serverId).map((line) => line.text)).toEqual([
        'a1',
        'a2',
        'a3',
        'a4',
        'a5',
        '── some lines could not be shown: the console stream was interrupted ──',
        'b1',
        'b2',
        'b3',
      ]);
    });

    it('sends the frames that reach it together as one console.output, every line once and in order', async () => {
      const { server, viewer } = await watching();
      const before = viewer.received.length;
      // Published in one go: they reach the gateway in one read, as frames do for a gateway that fell behind.
      const texts = Array.from({ length: 20 }, (_, i) => `burst ${i}`);
      for (const text of texts) server.print([text]);
      await viewer.until('the last line', () => viewer.texts(server.serverId).includes('burst 19'));
      expect(viewer.texts(server.serverId)).toEqual(texts);
      const outputs = viewer.received.slice(before).filter(({ event }) => event === 'console.output');
      expect(outputs.length).toBeLessThan(texts.length);
    });

    it('drops a malformed batch and frames of servers not watched here, and goes on with the next', async () => {
      const server = stream();
      const unwatched = stream();
      const actor = anActor();
      grant(actor, server.serverId);
      grant(actor, unwatched.serverId);
      const viewer = await as(actor);
      await viewer.send('join', { serverId: server.serverId });
      const live = nats.liveSubject(consoleFramesSubject(kit.app.get(ConsoleFeeds).holder));
      nats.connection.publish(live, '[{"type":"output","serverId":"not-a-uuid"}');
      nats.connection.publish(live, JSON.stringify([{ type: 'output', serverId: server.serverId, lines: 'many' }]));
      unwatched.print(['not watched here']);
      server.print(['after the bad ones']);
      await viewer.until('the good line', () => viewer.texts(server.serverId).includes('after the bad ones'));
      expect(viewer.texts(server.serverId)).toEqual(['after the bad ones']);
      expect(viewer.lines(unwatched.serverId)).toEqual([]);
    });

    it('counts how old each output’s oldest line is when it leaves for the viewers', async () => {
      const { server, viewer } = await watching();
      /** Outputs counted so far: all of them, and those whose oldest line was at most 1 s old. */
      const counted = async () => {
        const text = (await request(kit.url).get('/metrics').expect(200)).text;
        const bucket = (le: string) =>
          Number(
            new RegExp(`^gateway_console_line_age_seconds_bucket\\{le="${le}",[^}]*\\} (\\d+)$`, 'm').exec(text)?.[1],
          );
        return { all: bucket('\\+Inf'), young: bucket('1') };
      };
      const before = await counted();
      const written = new Date(Date.now() - 3_000).toISOString();
      const line = { seq: 0, time: written, kind: 'output' as const, text: 'written 3 s ago' };
      server.lines.push(line);
      server.frame({ type: 'output', serverId: server.serverId, epoch: server.epoch, lines: [line] });
      await viewer.until('the old line', () => viewer.texts(server.serverId).includes('written 3 s ago'));
      const after = await counted();
      expect(after.all - before.all).toBe(1);
      expect(after.young - before.young).toBe(0);
    });

    it('relays the status and stats frames to the server’s viewers', async () => {
      const { server, viewer } = await watching();
      const at = new Date().toISOString();
      server.frame({ type: 'status', serverId: server.serverId, at, status: 'stopping', reason: null });
      const stats = {
        serverId: server.serverId,
        at,
        cpuMillicores: 250,
        cpuLimitMillicores: 1000,
        memoryBytes: 1e9,
        memoryLimitBytes: 2e9,
        players: { online: 1, max: 20, names: ['alex'] },
      };
      server.frame({ type: 'stats', ...stats });
      await viewer.until('the stats', () => viewer.of('stats').length === 1);
      expect(viewer.of('status').at(-1)).toEqual({ serverId: server.serverId, status: 'stopping', reason: null });
      expect(viewer.of('stats')).toEqual([stats]);
    });
  });

  describe('a viewer that cannot keep up', () => {
    it('is skipped once it stops acknowledging, while the others get every line, then hears how many it missed', async () => {
      const server = stream();
      const [healthy, stalled] = [anActor(), anActor()];
      grant(healthy, server.serverId);
      grant(stalled, server.serverId);
      const [a, b] = [await as(healthy), await as(stalled)];
      for (const viewer of [a, b]) {
        await viewer.send('join', { serverId: server.serverId });
        // Its first `seen` makes the gateway judge it by its acknowledgements.
        expect(await viewer.acknowledge(server.serverId)).toEqual({ ok: true, data: { serverId: server.serverId } });
      }
      // b stops reading: it acknowledges nothing more. a handles every frame before the next is printed.
      // Frames of 50 lines: a late viewer is skipped once it holds a backlog worth shedding (200 lines).
      const printed: string[] = [];
      const started = performance.now();
      while (performance.now() - started < 10 * MAX_LAG_MS || printed.length < 500) {
        const frame = server.print(Array.from({ length: 50 }, (_, i) => `live ${printed.length + i}`));
        printed.push(...frame.map((line) => line.text));
        await a.until('the frame', () => a.texts(server.serverId).at(-1) === frame.at(-1)?.text);
        await a.acknowledge(server.serverId);
      }
      expect(a.texts(server.serverId)).toEqual(printed);
      expect(a.texts(server.serverId, 'notice')).toEqual([]);

      // b catches up: it hears at once what it missed, and is sent output again.
      await b.acknowledge(server.serverId);
      await b.until('the notice', () => b.texts(server.serverId, 'notice').length > 0);
      server.print(['after']);
      await b.until('the next line', () => b.texts(server.serverId).includes('after'));
      const notices = b.texts(server.serverId, 'notice');
      expect(notices).toEqual([
        expect.stringMatching(/^── \d+ lines not shown: this connection could not keep up ──$/),
      ]);
      const missed = Number(/\d+/.exec(notices[0] ?? '')?.[0]);
      expect(missed).toBeGreaterThan(0);
      // What it got before falling behind, the notice, then the new line: nothing lost without a word.
      expect(b.lines(server.serverId).map((line) => line.text)).toEqual([
        ...printed.slice(0, printed.length - missed),
        notices[0],
        'after',
      ]);
    });
  });

  describe('each event’s rule', () => {
    it('lets only who holds control.console watch, and hides a server from who has no access', async () => {
      const server = stream();
      const [holder, lacking, stranger] = [anActor(), anActor(), anActor()];
      grant(holder, server.serverId, ['control.console']);
      grant(lacking, server.serverId, ['control.command']);
      expect((await (await as(holder)).send('join', { serverId: server.serverId })).ok).toBe(true);
      const refused = await as(lacking);
      expect(await refused.send('join', { serverId: server.serverId })).toEqual({
        ok: false,
        error: {
          code: 'FORBIDDEN',
          message: 'missing permission control.console',
          details: { permission: 'control.console' },
        },
      });
      expect(refused.received).toEqual([
        {
          event: 'error',
          payload: {
            code: 'FORBIDDEN',
            message: 'missing permission control.console',
            details: { permission: 'control.console' },
            event: 'join',
          },
        },
      ]);
      const outsider = await as(stranger);
      const hidden = await outsider.send('join', { serverId: server.serverId });
      expect(hidden).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
      expect(outsider.of('console.output')).toEqual([]);
    });

    it('sends a command for control.command, its reply to the sender only, and records nothing itself', async () => {
      const server = stream();
      const [sender, watcher] = [anActor(), anActor()];
      grant(sender, server.serverId, ['control.command']);
      grant(watcher, server.serverId, ['control.console']);
      const other = await as(watcher);
      await other.send('join', { serverId: server.serverId });
      const viewer = await as(sender);
      const answer = await viewer.send('command', { serverId: server.serverId, command: 'op alex' });
      const result = { serverId: server.serverId, command: 'op alex', output: 'ran op alex' };
      expect(answer).toEqual({ ok: true, data: result });
      expect(viewer.of('command.result')).toEqual([result]);
      expect(other.of('command.result')).toEqual([]);
      expect(kit.last('console.command')).toMatchObject({ actor: sender, serverId: server.serverId });
      expect((await other.send('command', { serverId: server.serverId, command: 'stop' })).ok).toBe(false);
      const recorded = await kit.published('activity.recorded');
      expect(recorded.filter((e) => e.data.actorId === sender.userId)).toEqual([]);
    });

    it('powers a server with the REST route’s permission per action, and records it as REST does', async () => {
      const server = stream();
      const owner = anActor();
      grant(owner, server.serverId);
      const { key, actor: keyActor } = keyOf(owner, ['control.start']);
      grant(keyActor, server.serverId);
      const viewer = await connect(key);
      expect(await viewer.send('power', { serverId: server.serverId, action: 'start' })).toEqual({
        ok: true,
        data: { serverId: server.serverId, status: 'starting', reason: null },
      });
      expect(await viewer.send('power', { serverId: server.serverId, action: 'kill' })).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN', details: { permission: 'control.stop' } },
      });
      await waitFor('the activity entry', async () =>
        (await kit.published('activity.recorded')).some((e) => e.data.actorId === owner.userId),
      );
      const recorded = (await kit.published('activity.recorded')).filter((e) => e.data.actorId === owner.userId);
      expect(recorded.map((e) => e.data)).toEqual([
        expect.objectContaining({
          action: 'server.power',
          apiKeyId: keyActor.apiKey?.id,
          serverId: server.serverId,
          source: expect.stringMatching(/127\.0\.0\.1/),
          details: { action: 'start' },
        }),
      ]);
    });
  });

  describe('bad events', () => {
    it('answer each with a clear error and nothing else', async () => {
      const server = stream();
      const actor = anActor();
      grant(actor, server.serverId);
      const viewer = await as(actor);
      const cases: [string, unknown[], object][] = [
        ['nonsense', [{}], { code: 'VALIDATION_FAILED', message: 'unknown event "nonsense"' }],
        ['join', [{}], { code: 'VALIDATION_FAILED', details: [{ path: 'serverId', message: expect.any(String) }] }],
        ['join', ['not an object'], { code: 'VALIDATION_FAILED' }],
        [
          'join',
          [{ serverId: server.serverId, extra: 1 }],
          { details: [{ path: 'extra', message: 'is not a known field' }] },
        ],
        [
          'command',
          [{ serverId: server.serverId, command: 'say hi\nop mallory' }],
          { details: [{ path: 'command', message: 'must not contain line breaks or control characters' }] },
        ],
        [
          'command',
          [{ serverId: server.serverId, command: 'x'.repeat(257) }],
          { details: [{ path: 'command', message: 'must be at most 256 characters' }] },
        ],
        ['leave', [{ serverId: server.serverId }, { serverId: server.serverId }], { code: 'VALIDATION_FAILED' }],
        [
          'seen',
          [{ serverId: server.serverId, frames: 0 }],
          { details: [{ path: 'frames', message: expect.any(String) }] },
        ],
      ];
      for (const [event, args, error] of cases) {
        expect(await viewer.sendRaw(event, args)).toEqual({ ok: false, error: expect.objectContaining(error) });
      }
      await viewer.until('an error event each', () => viewer.received.length === cases.length);
      expect(viewer.received.map((entry) => entry.event)).toEqual(cases.map(() => 'error'));
      expect(viewer.of('error').map((error) => error.event)).toEqual([
        'unknown',
        'join',
        'join',
        'join',
        'command',
        'command',
        'leave',
        'seen',
      ]);
      expect(kit.received.get('console.command')?.some((r) => JSON.stringify(r).includes('mallory'))).not.toBe(true);
    });

    it('disconnect a socket that sends an oversized message', async () => {
      const viewer = await as(anActor());
      viewer.socket.emit('join', { serverId: randomUUID(), padding: 'x'.repeat(64 * 1024) });
      expect(await viewer.disconnected).toBe('transport close');
    });
  });

  describe('the token’s end', () => {
    it('is announced ahead, a fresh token of the same account extends the socket, another account’s is refused', async () => {
      const actor = anActor();
      // Within the notice period (60 s) from the start: announced at once.
      const first = Math.floor(Date.now() / 1000) + 30;
      const viewer = await connect(await kit.token({ actor, expiresAt: first }));
      await viewer.until('the notice', () => viewer.of('token.expiring').length === 1);
      expect(viewer.of('token.expiring')).toEqual([{ expiresAt: new Date(first * 1000).toISOString() }]);
      const later = Math.floor(Date.now() / 1000) + 900;
      expect(await viewer.send('auth', { token: await kit.token({ actor, expiresAt: later }) })).toEqual({
        ok: true,
        data: { expiresAt: new Date(later * 1000).toISOString() },
      });
      expect(await viewer.send('auth', { token: await kit.token() })).toMatchObject({
        ok: false,
        error: { code: 'FORBIDDEN' },
      });
      const { key } = keyOf(actor, []);
      expect(await viewer.send('auth', { token: key })).toMatchObject({
        ok: false,
        error: { code: 'VALIDATION_FAILED' },
      });
      expect(viewer.socket.connected).toBe(true);
    });

    it('ends the socket’s authorisation when it passes: it leaves everything and hears why', async () => {
      const server = stream();
      const actor = anActor();
      grant(actor, server.serverId);
      const viewer = await connect(await kit.token({ actor, expiresAt: Math.floor(Date.now() / 1000) + 2 }));
      await viewer.send('join', { serverId: server.serverId });
      expect(await viewer.disconnected).toBe('io server disconnect');
      expect(viewer.of('error')).toEqual([
        { code: 'UNAUTHENTICATED', message: 'the access token expired', event: 'connection' },
      ]);
      await waitFor('the lease to be given back', () => detaches(server.serverId).length === 1);
    });

    it('is not for API keys: a keyed socket cannot send auth', async () => {
      const { key } = keyOf(anActor(), []);
      const viewer = await connect(key);
      expect(await viewer.send('auth', { token: await kit.token() })).toEqual({
        ok: false,
        error: { code: 'FORBIDDEN', message: 'API keys cannot be used here' },
      });
    });
  });

  describe('revocation', () => {
    it('makes a viewer whose access ended leave that server at once, with the error a join would get', async () => {
      const [server, kept] = [stream(), stream()];
      const actor = anActor();
      grant(actor, server.serverId);
      grant(actor, kept.serverId);
      const viewer = await as(actor);
      await viewer.send('join', { serverId: server.serverId });
      await viewer.send('join', { serverId: kept.serverId });
      grants.delete(`${actor.userId}:${server.serverId}`);
      await events.publish('server.access-changed', { serverId: server.serverId, userId: actor.userId });
      await viewer.until('the error', () => viewer.of('error').length === 1);
      expect(viewer.of('error')).toEqual([
        {
          code: 'NOT_FOUND',
          message: `server ${server.serverId} not found`,
          details: { serverId: server.serverId },
          event: 'connection',
        },
      ]);
      server.print(['after']);
      kept.print(['still here']);
      await viewer.until('the kept server’s line', () => viewer.texts(kept.serverId).includes('still here'));
      expect(viewer.texts(server.serverId)).not.toContain('after');
      expect(viewer.socket.connected).toBe(true);
    });

    it('drops a narrowed sub-user, a revoked key’s sockets and a suspended account’s', async () => {
      const server = stream();
      const [narrowed, suspended, owner] = [anActor(), anActor(), anActor()];
      grant(narrowed, server.serverId, ['control.console']);
      grant(suspended, server.serverId);
      const { key, actor: keyActor } = keyOf(owner, ['control.console']);
      grant(keyActor, server.serverId);
      const [n, s, k] = [await as(narrowed), await as(suspended), await connect(key)];
      for (const viewer of [n, s, k]) await viewer.send('join', { serverId: server.serverId });

      grant(narrowed, server.serverId, ['control.command']);
      await events.publish('server.access-changed', { serverId: server.serverId, userId: narrowed.userId });
      kit.principals.set(suspended.userId, { userId: suspended.userId, role: 'user', status: 'suspended' });
      await events.publish('user.suspended', { userId: suspended.userId, reason: null });
      keys.delete(key);
      await events.publish('apikey.revoked', { keyId: keyActor.apiKey?.id ?? '', userId: owner.userId });

      await n.until('the narrowed error', () => n.of('error').length === 1);
      expect(n.of('error')[0]).toMatchObject({
        code: 'FORBIDDEN',
        details: { serverId: server.serverId, permission: 'control.console' },
      });
      expect(await s.disconnected).toBe('io server disconnect');
      expect(s.of('error')).toEqual([{ code: 'FORBIDDEN', message: 'account is suspended', event: 'connection' }]);
      expect(await k.disconnected).toBe('io server disconnect');
      expect(k.of('error')).toEqual([
        { code: 'UNAUTHENTICATED', message: 'the API key was revoked', event: 'connection' },
      ]);
    });
  });
});
