import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import { apiCatalogueSchema } from '@blockplane/contracts';
import { GatewayTestKit } from '../testing/gateway-test-kit.js';
import { RouteCatalogue } from './route-catalogue.js';

describe('GET /api/v1/routes', () => {
  let kit: GatewayTestKit;

  beforeAll(async () => {
    kit = await GatewayTestKit.start();
  });
  afterAll(() => kit.close());

  it('answers anyone the route catalogue, without handler names, and the socket events', async () => {
    const res = await request(kit.url).get('/api/v1/routes').expect(200);
    const answer = apiCatalogueSchema.parse(res.body);
    const catalogue = kit.app.get(RouteCatalogue).routes;
    expect(answer.routes).toEqual(
      catalogue.map(({ method, path, rule, activity }) => ({ method, path, rule, activity })),
    );
    expect(answer.routes).toContainEqual({
      method: 'GET',
      path: '/api/v1/routes',
      rule: { kind: 'public' },
      activity: null,
    });
    // The socket's power needs what the REST route needs, action by action.
    const power = answer.routes.find((route) => route.path === '/api/v1/servers/:id/power');
    expect(power?.rule).toMatchObject({ kind: 'server', need: { field: 'action' } });
    expect(answer.socketEvents).toEqual([
      { event: 'auth', rule: { kind: 'signed-in', apiKeys: false }, activity: null },
      // Recorded by the console service, which runs it.
      { event: 'command', rule: { kind: 'server', need: 'control.command' }, activity: 'console.command' },
      { event: 'join', rule: { kind: 'server', need: 'control.console' }, activity: null },
      { event: 'leave', rule: { kind: 'signed-in', apiKeys: true }, activity: null },
      { event: 'power', rule: power?.rule, activity: 'server.power' },
      { event: 'seen', rule: { kind: 'signed-in', apiKeys: true }, activity: null },
    ]);
  });
});
