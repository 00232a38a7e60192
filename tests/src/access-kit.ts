import { randomBytes } from 'node:crypto';
import type { CreatedApiKey, CreateServerRequest, Permission, Server, Session, User } from '@blockplane/contracts';
import { type Answer, GatewayClient, password, type Stack, waitFor } from '@blockplane/testing';

/** A signed-up user: their client (access token), account and session. */
export interface Account {
  client: GatewayClient;
  user: User;
  session: Session;
}

/** What one request got: the status, the body (JSON or text) and the authentication challenge. */
export interface Outcome {
  status: number;
  body: unknown;
  challenge: string | null;
}

export const aServer: CreateServerRequest = { name: 'access', type: 'paper', version: 'LATEST', plan: 'small' };

export const newEmail = (): string => `access-${randomBytes(6).toString('hex')}@example.test`;

/** Fails with what the gateway answered when a setup step does not get the status it needs. */
function expectStatus<T>(what: string, answer: Answer<T>, status: number): T {
  if (answer.status !== status) {
    throw new Error(`${what} answered ${answer.status}, not ${status}: ${JSON.stringify(answer.body)}`);
  }
  return answer.body;
}

/** The steps the access tests repeat on one stack, through its public API (and its operator command for admins). */
export class AccessKit {
  readonly anonymous: GatewayClient;

  constructor(readonly stack: Stack) {
    this.anonymous = new GatewayClient(stack.gatewayUrl);
  }

  as(credential: string | undefined): GatewayClient {
    return new GatewayClient(this.stack.gatewayUrl, credential);
  }

  signUp(): Promise<Account> {
    return GatewayClient.signUp(this.stack.gatewayUrl);
  }

  /** An admin made the operator's way (`create-admin`), signed in. */
  async admin(): Promise<Account> {
    const email = newEmail();
    await this.stack.createAdmin(email, password);
    const session = await this.anonymous.login(email);
    return { client: this.as(session.accessToken), user: session.user, session };
  }

  /**
   * Waits until the servers service has consumed these accounts' `user.registered` (sub-users are invited
   * by email, which it learns from that event): read from its table, as nothing in the API tells.
   */
  async knownToServers(...accounts: Account[]): Promise<void> {
    const ids = accounts.map((account) => `'${account.user.id}'`).join(',');
    await waitFor('the servers service to know the accounts', async () => {
      const [count] = await this.stack.database.query(
        `select count(*) from servers.account where user_id in (${ids}) and email is not null`,
      );
      return Number(count) === accounts.length;
    });
  }

  async createServer(owner: GatewayClient): Promise<Server> {
    return expectStatus('creating a server', await owner.request<Server>('POST', 'servers', aServer), 202);
  }

  async invite(by: GatewayClient, serverId: string, account: Account, permissions: Permission[]): Promise<void> {
    const answer = await by.request('POST', `servers/${serverId}/subusers`, { email: account.user.email, permissions });
    expectStatus('inviting a sub-user', answer, 201);
  }

  async removeSubuser(by: GatewayClient, serverId: string, userId: string): Promise<void> {
    expectStatus('removing a sub-user', await by.request('DELETE', `servers/${serverId}/subusers/${userId}`), 204);
  }

  async createKey(by: GatewayClient, permissions: Permission[]): Promise<CreatedApiKey> {
    const answer = await by.request<CreatedApiKey>('POST', 'me/api-keys', { name: 'access', permissions });
    return expectStatus('creating an API key', answer, 201);
  }

  async suspend(admin: GatewayClient, userId: string): Promise<void> {
    const answer = await admin.request('POST', `admin/users/${userId}/suspend`, { reason: 'access test' });
    expectStatus('suspending a user', answer, 200);
  }

  /** Asks for a reset link and reads its token where auth sends it for now: its log (no mail transport yet). */
  async resetToken(email: string): Promise<string> {
    expectStatus(
      'asking for a reset link',
      await this.anonymous.request('POST', 'auth/password-reset', { email }),
      202,
    );
    return waitFor(`the reset link for ${email}`, () => {
      const line = this.stack
        .service('auth')
        .stdout()
        .split('\n')
        .find((entry) => entry.includes(`"to":"${email}"`));
      const link = line === undefined ? undefined : (JSON.parse(line) as { link?: string }).link;
      const token = link && new URLSearchParams(new URL(link).hash.slice(1)).get('token');
      return token ?? undefined;
    });
  }

  /** Any request to the gateway, `path` as the router matches it (`/api/v1/...`, `/healthz`). */
  async send(
    credential: string | undefined,
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Outcome> {
    const sent: Record<string, string> = { ...headers };
    if (credential !== undefined) sent['authorization'] = `Bearer ${credential}`;
    // A Blob or FormData goes as it is, with the type it carries (a file's bytes, a multipart upload).
    const raw = body instanceof Blob || body instanceof FormData;
    if (body !== undefined && !raw) sent['content-type'] = 'application/json';
    const res = await fetch(`${this.stack.gatewayUrl}${path}`, {
      method,
      headers: sent,
      ...(body === undefined ? {} : { body: raw ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    const json = text !== '' && (res.headers.get('content-type') ?? '').includes('json');
    return {
      status: res.status,
      body: json ? (JSON.parse(text) as unknown) : text,
      challenge: res.headers.get('www-authenticate'),
    };
  }
}
