import { randomBytes } from 'node:crypto';
import type { Dashboard, RegistrationAccepted, Server, Session, Usage, User } from '@blockplane/contracts';
import { waitFor } from './wait-for.js';

export interface Answer<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export const password = 'correct horse battery staple';

/** One caller of the public API: raw requests, plus the few steps every test repeats. */
export class GatewayClient {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
  ) {}

  /** Registers and logs in a fresh user; registration answers 202 without the account, so the user is the session's. */
  static async signUp(baseUrl: string): Promise<{ client: GatewayClient; user: User; session: Session }> {
    const anonymous = new GatewayClient(baseUrl);
    const email = `e2e-${randomBytes(6).toString('hex')}@example.test`;
    const registered = await anonymous.request<RegistrationAccepted>('POST', 'auth/register', { email, password });
    if (registered.status !== 202) throw new Error(`register answered ${registered.status}`);
    const session = await anonymous.login(email);
    return { client: new GatewayClient(baseUrl, session.accessToken), user: session.user, session };
  }

  async login(email: string, secret = password): Promise<Session> {
    const answer = await this.request<Session>('POST', 'auth/login', { email, password: secret });
    if (answer.status !== 200) throw new Error(`login answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  /**
   * A JSON request to `/api/v1/<path>`; a string body is sent as it is (for malformed JSON). `extra` headers
   * go on top, e.g. `X-Forwarded-For` to speak from another address through a gateway that trusts the test.
   */
  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    extra: Record<string, string> = {},
  ): Promise<Answer<T>> {
    const headers: Record<string, string> = { ...extra };
    if (this.token) headers['authorization'] = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${this.baseUrl}/api/v1/${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
  }

  async dashboard(): Promise<Dashboard> {
    return this.ok<Dashboard>('GET', 'servers');
  }

  async usage(): Promise<Usage> {
    return this.ok<Usage>('GET', 'me/usage');
  }

  async server(id: string): Promise<Server> {
    return this.ok<Server>('GET', `servers/${id}`);
  }

  /** Waits until the server reaches `status` (failing at once on `error`) and answers it. */
  async waitForStatus(id: string, status: Server['status'], timeoutMs = 20_000): Promise<Server> {
    let last: Server | undefined;
    try {
      return await waitFor(
        `server ${id} to be ${status}`,
        async () => {
          last = await this.server(id);
          if (last.status === 'error' && status !== 'error') throw new Error(`error: ${last.statusReason}`);
          // A running server's address can follow a moment later (the load balancer's IP is assigned after Ready).
          const settled = status !== 'running' || last.address !== null;
          return last.status === status && settled && last;
        },
        { timeoutMs, intervalMs: 100 },
      );
    } catch (error) {
      throw new Error(`${(error as Error).message}; last seen ${JSON.stringify(last)}`);
    }
  }

  private async ok<T>(method: string, path: string): Promise<T> {
    const answer = await this.request<T>(method, path);
    if (answer.status !== 200) throw new Error(`${method} ${path} answered ${answer.status}`);
    return answer.body;
  }
}
