import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import request from 'supertest';
import type { ConfigSection } from '@blockplane/config';
import type { PingedService } from '@blockplane/contracts';
import { NatsConnection, RpcClient } from '@blockplane/messaging';
import { createLogger, currentTraceId, inSpan, SpanKind } from '@blockplane/observability';
import { testEnv } from '@blockplane/testing';
import type { ServiceDefinition } from '../run-service.js';
import { type RunningService, startTestService } from './service-harness.js';

/**
 * What every service must do, checked against the real app, PostgreSQL and NATS.
 * `env` is read when the service starts, so it may name things a `beforeAll` made (a simulator's kubeconfig).
 */
export function describeServiceContract<Extra extends Record<string, ConfigSection>>(
  definition: ServiceDefinition<Extra>,
  env: () => Record<string, string> = () => ({}),
): void {
  describe(`${definition.name} service contract`, () => {
    let service: RunningService;

    beforeAll(async () => {
      service = await startTestService(definition, env());
    });
    afterAll(() => service.close());

    it('is alive', async () => {
      await request(service.url).get('/healthz').expect(200, { status: 'ok' });
    });

    it('is ready when its dependencies answer, and says which it checked', async () => {
      const res = await request(service.url).get('/readyz').expect(200);
      expect(res.body.ready).toBe(true);
      expect(res.body.checks.nats).toEqual({ ok: true });
      if ('database' in definition.sections) expect(res.body.checks.postgres).toEqual({ ok: true });
    });

    it('exposes default metrics and request durations by route template and status', async () => {
      const count = async (route: string, status: number) => {
        const res = await request(service.url).get('/metrics').expect(200);
        expect(res.headers['content-type']).toContain('text/plain');
        expect(res.text).toContain(`process_resident_memory_bytes{service="${definition.name}"}`);
        const line = res.text
          .split('\n')
          .find(
            (l) =>
              l.startsWith('http_request_duration_seconds_count{') &&
              l.includes(`route="${route}",status_code="${status}"`),
          );
        return Number(line?.split(' ')[1] ?? 0);
      };
      const [healthz, unmatched] = [await count('/healthz', 200), await count('unmatched', 404)];
      await request(service.url).get('/no/such/route/42').expect(404);
      await request(service.url).get('/healthz').expect(200);
      expect(await count('/healthz', 200)).toBe(healthz + 1);
      expect(await count('unmatched', 404)).toBe(unmatched + 1);
    });

    it('answers errors in the one error shape', async () => {
      const res = await request(service.url).get('/no/such/route').expect(404);
      expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: 'Cannot GET /no/such/route' } });
    });

    if (definition.name !== 'gateway') {
      it('answers its ping over NATS within the caller’s trace', async () => {
        const logger = createLogger('contract-test', { level: 'silent' });
        const nats = await NatsConnection.open(
          { url: testEnv.natsUrl, namespace: service.namespace },
          'contract-test',
          logger,
        );
        try {
          await inSpan('contract', { kind: SpanKind.INTERNAL }, async () => {
            const answer = await new RpcClient(nats).request(`${definition.name as PingedService}.ping`, {});
            expect(answer).toMatchObject({ service: definition.name, traceId: currentTraceId() });
          });
        } finally {
          await nats.close();
        }
      });
    }
  });
}
