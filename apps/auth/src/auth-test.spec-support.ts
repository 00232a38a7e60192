// For the auth specs: the real service, and a client in its NATS namespace.
import { randomBytes, randomUUID } from 'node:crypto';
import type { Actor, Session } from '@blockplane/contracts';
import {
  connectTestClient,
  type RunningService,
  startTestService,
  type TestServiceClient,
} from '@blockplane/service/testing';
import { waitFor } from '@blockplane/testing';
import { authService } from './auth.app.js';
import type { Mailer, PasswordResetMail } from './password-reset/mailer.js';

export interface AuthHarness extends TestServiceClient {
  service: RunningService;
  /** Registers an account from a fresh address and logs in: registration itself answers no id. */
  signUp(email?: string): Promise<Session>;
}

/** Starts auth with `env` on top of the test defaults, and `mailer` instead of the logging one. */
export async function startAuth({ env = {}, mailer }: { env?: Record<string, string>; mailer?: Mailer } = {}) {
  const service = await startTestService(authService({ mailer }), env);
  const client = await connectTestClient(service);
  const harness: AuthHarness = {
    ...client,
    service,
    async signUp(email = uniqueEmail()) {
      const source = uniqueSource();
      await client.rpc.request('auth.register', { email, password: strongPassword, source });
      return client.rpc.request('auth.login', { email, password: strongPassword, source });
    },
    async close() {
      await service.close();
      await client.close();
    },
  };
  return harness;
}

/** A fresh mailbox per test: the test database is shared by every spec file. */
export function uniqueEmail(): string {
  return `user-${randomUUID()}@example.test`;
}

/**
 * A caller address in a fresh /64 (a random IPv6 unique-local /64), which per-address limits count as
 * one: rate-limit windows outlive a test run, and the test database is shared by every spec and run.
 */
export function uniqueSource(): string {
  const hex = randomBytes(7).toString('hex');
  return `fd${hex.slice(0, 2)}:${hex.slice(2, 6)}:${hex.slice(6, 10)}:${hex.slice(10)}::1`;
}

export const strongPassword = 'correct horse battery staple';

/** The actor the gateway would pass for a session. */
export function actorOf(session: Session): Actor {
  return { userId: session.user.id, role: session.user.role };
}

/** Keeps what would be mailed, for the spec to read. */
export class CapturingMailer implements Mailer {
  readonly sent: PasswordResetMail[] = [];

  async sendPasswordReset(mail: PasswordResetMail): Promise<void> {
    this.sent.push(mail);
  }

  /** The reset tokens mailed to `email`, oldest first, once there are at least `count`. */
  tokensFor(email: string, count = 1): Promise<string[]> {
    return waitFor(`${count} reset mail(s) to ${email}`, () => {
      const tokens = this.sent.filter((mail) => mail.email === email).map((mail) => mail.token);
      return tokens.length >= count && tokens;
    });
  }
}
