// For the auth specs: the real service, and a client in its NATS namespace.
import { randomUUID } from 'node:crypto';
import {
  connectTestClient,
  type RunningService,
  startTestService,
  type TestServiceClient,
} from '@blockplane/service/testing';
import { authApp } from './auth.app.js';

export interface AuthHarness extends TestServiceClient {
  service: RunningService;
}

export async function startAuth(): Promise<AuthHarness> {
  const service = await startTestService(authApp);
  const client = await connectTestClient(service);
  return {
    ...client,
    service,
    async close() {
      await service.close();
      await client.close();
    },
  };
}

/** A fresh mailbox per test: the test database is shared by every spec file. */
export function uniqueEmail(): string {
  return `user-${randomUUID()}@example.test`;
}

export const strongPassword = 'correct horse battery staple';
