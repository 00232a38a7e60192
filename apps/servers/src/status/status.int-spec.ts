import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Actor, EventPayload, EventSubject, Server, ServerStatus } from '@blockplane/contracts';
import { waitFor } from '@blockplane/testing';
import { allDesired, anActor, failure, type ServersUnderTest, startServers } from '../servers.spec-support.js';

type Observed =
  | 'server.provisioned'
  | 'pod.scheduled'
  | 'pod.pending'
  | 'pod.ready'
  | 'pod.failed'
  | 'server.stopped'
  | 'server.deleted';
type Extra<S extends Observed> = Omit<EventPayload<S>, 'serverId' | 'observedAt'>;

describe('status from the provisioner’s events', () => {
  let t: ServersUnderTest;
  let actor: Actor;
  let clock = Date.now();

  beforeAll(async () => {
    t = await startServers();
    actor = anActor();
  });
  afterAll(() => t.close());

  const create = () =>
    t.rpc.request('servers.create', { actor, name: 'mc', type: 'paper', version: '1.21.4', plan: 'small' });
  const get = (server: Server) => t.rpc.request('servers.get', { actor, serverId: server.id });
  /** Publishes an observation made `at` (default: a moment after the previous one). */
  const observe = async <S extends Observed>(
    server: Server,
    type: S,
    extra: Extra<S>,
    at = new Date((clock += 1000)),
  ) => {
    const data = { serverId: server.id, observedAt: at.toISOString(), ...extra } as EventPayload<S>;
    await t.events.publish(type as EventSubject, data as EventPayload<EventSubject>);
    return at;
  };
  const statusOf = (server: Server, status: ServerStatus) =>
    waitFor(`status ${status}`, async () => {
      const current = await get(server);
      return current.status === status && current;
    });

  it('walks creating → provisioning → starting (with a reason) → running with an address', async () => {
    const server = await create();
    await observe(server, 'server.provisioned', {});
    await statusOf(server, 'provisioning');
    await observe(server, 'pod.scheduled', { podName: 'mc-0' });
    await statusOf(server, 'starting');
    await observe(server, 'pod.pending', { podName: 'mc-0', reason: 'not enough memory in the cluster' });
    await waitFor(
      'the pending reason',
      async () => (await get(server)).statusReason === 'not enough memory in the cluster',
    );
    await observe(server, 'pod.ready', { podName: 'mc-0', address: '10.0.0.9:25565' });
    expect(await statusOf(server, 'running')).toMatchObject({ address: '10.0.0.9:25565', statusReason: null });

    const metrics = await fetch(`${t.service.url}/metrics`).then((res) => res.text());
    expect(metrics).toMatch(/^panel_server_time_to_running_seconds_count\{service="servers"\} 1$/m);
  });

  it('ignores an observation older than the last applied, and changes nothing when every event is replayed', async () => {
    const server = await create();
    const events = [
      () => observe(server, 'server.provisioned', {}),
      () => observe(server, 'pod.scheduled', { podName: 'mc-0' }),
      () => observe(server, 'pod.ready', { podName: 'mc-0', address: '10.0.0.10:25565' }),
    ];
    const times: Date[] = [];
    for (const publish of events) {
      times.push(await publish());
      // One consumer per subject: wait for each step so they apply in order.
      await t.drained(['server-provisioned', 'pod-scheduled', 'pod-ready'][times.length - 1] ?? '');
    }
    const running = await statusOf(server, 'running');

    // Stale: scheduled before it became ready.
    await observe(server, 'pod.scheduled', { podName: 'mc-0' }, new Date(times[1]?.getTime() ?? 0));
    await observe(server, 'pod.failed', { podName: 'mc-0', reason: 'old crash' }, new Date(times[0]?.getTime() ?? 0));
    // Replays of every event, with their original observation times.
    await observe(server, 'server.provisioned', {}, times[0]);
    await observe(server, 'pod.scheduled', { podName: 'mc-0' }, times[1]);
    await observe(server, 'pod.ready', { podName: 'mc-0', address: '10.0.0.10:25565' }, times[2]);
    for (const handler of ['server-provisioned', 'pod-scheduled', 'pod-ready', 'pod-failed']) await t.drained(handler);
    expect(await get(server)).toEqual(running);
  });

  it('stops (keeping starting when the pod stops while meant to run), fails with a reason, and deletes', async () => {
    const server = await create();
    await observe(server, 'pod.ready', { podName: 'mc-0', address: 'a:1' });
    await statusOf(server, 'running');
    await observe(server, 'server.stopped', {});
    expect(await statusOf(server, 'starting')).toMatchObject({ address: null });

    await t.rpc.request('servers.power', { actor, serverId: server.id, action: 'stop' });
    await observe(server, 'pod.ready', { podName: 'mc-0', address: 'a:1' });
    await t.drained('pod-ready');
    expect((await get(server)).status).toBe('stopping');
    await observe(server, 'server.stopped', {});
    await statusOf(server, 'stopped');

    await t.rpc.request('servers.power', { actor, serverId: server.id, action: 'start' });
    await observe(server, 'pod.failed', { podName: 'mc-0', reason: 'the server crashed while starting' });
    expect(await statusOf(server, 'error')).toMatchObject({ statusReason: 'the server crashed while starting' });

    await t.rpc.request('servers.delete', { actor, serverId: server.id });
    await observe(server, 'server.deleted', {});
    // Gone: it exists for nobody any more, and the cluster need not hold it.
    await waitFor('the server to be gone', async () => (await failure(get(server))).code === 'NOT_FOUND');
    expect((await allDesired(t.rpc)).map((spec) => spec.serverId)).not.toContain(server.id);
  });

  it('announces every status transition once, with its reason, and answers the status it holds', async () => {
    const server = await create();
    // One consumer per subject: each step is applied before the next is published.
    await observe(server, 'server.provisioned', {});
    await t.drained('server-provisioned');
    await observe(server, 'pod.pending', { podName: 'mc-0', reason: 'not enough memory in the cluster' });
    await t.drained('pod-pending');
    await observe(server, 'pod.scheduled', { podName: 'mc-0' }); // still starting, the reason cleared
    await t.drained('pod-scheduled');
    await observe(server, 'pod.ready', { podName: 'mc-0', address: 'a:1' });
    await statusOf(server, 'running');
    await t.rpc.request('servers.power', { actor, serverId: server.id, action: 'stop' });
    await t.rpc.request('servers.power', { actor, serverId: server.id, action: 'stop' }); // no change: no event
    await observe(server, 'server.stopped', {});
    await statusOf(server, 'stopped');
    const current = await t.rpc.request('servers.status', { serverId: server.id });
    expect(current).toEqual({ status: 'stopped', reason: null, at: expect.any(String) });

    const expected = [
      { status: 'creating', reason: null },
      { status: 'provisioning', reason: null },
      { status: 'starting', reason: 'not enough memory in the cluster' },
      { status: 'starting', reason: null },
      { status: 'running', reason: null },
      { status: 'stopping', reason: null },
      { status: 'stopped', reason: null },
    ];
    const announced = async () =>
      (await t.published('server.status-changed')).map((e) => e.data).filter((d) => d.serverId === server.id);
    await waitFor('every transition announced', async () => (await announced()).length >= expected.length);
    const changes = await announced();
    expect(changes.map(({ status, reason }) => ({ status, reason }))).toEqual(expected);
    const times = changes.map((change) => Date.parse(change.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // Every change the answer holds was stamped before it was read.
    expect(times.every((time) => time <= Date.parse(current.at))).toBe(true);
    await expect(t.rpc.request('servers.status', { serverId: actor.userId })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
