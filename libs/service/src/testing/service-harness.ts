import type { INestApplication } from '@nestjs/common';
import type { ConfigSection } from '@blockplane/config';
import { startTelemetry } from '@blockplane/observability';
import { testEnv, uniqueNamespace } from '@blockplane/testing';
import { createServiceApp, loadServiceConfig, type ServiceDefinition } from '../run-service.js';

export interface RunningService {
  app: INestApplication;
  url: string;
  namespace: string;
  close(): Promise<void>;
}

/** Boots a real service in this process on a free port, against the test PostgreSQL and NATS. */
export async function startTestService<Extra extends Record<string, ConfigSection>>(
  definition: ServiceDefinition<Extra>,
  env: Record<string, string> = {},
): Promise<RunningService> {
  const namespace = env['NATS_NAMESPACE'] ?? uniqueNamespace();
  const config = loadServiceConfig(definition, {
    DATABASE_URL: testEnv.databaseUrl,
    NATS_URL: testEnv.natsUrl,
    LOG_LEVEL: 'silent',
    PORT: '0',
    ...env,
    NATS_NAMESPACE: namespace,
  });
  startTelemetry(definition.name, config.telemetry);
  const app = await createServiceApp(definition, config);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return { app, url, namespace, close: () => app.close() };
}
