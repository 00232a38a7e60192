import { type ErrorBody, type ErrorCode, podName } from '@blockplane/contracts';
import { ConsoleViewer, type HandshakeRefusal, type Stack } from '@blockplane/testing';
import type { Outcome } from './access-kit.js';

/** The simulator's control API for one game server: what its console prints, who plays, its container's fate. */
export class SimulatedServer {
  constructor(
    private readonly stack: Stack,
    readonly serverId: string,
  ) {}

  private async control(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.stack.simUrl}/_sim/${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!res.ok) throw new Error(`${method} /_sim/${path} answered ${res.status}: ${await res.text()}`);
    const text = await res.text();
    return text ? (JSON.parse(text) as unknown) : undefined;
  }

  private get pod(): string {
    return `pods/${this.stack.gameNamespace}/${podName(this.serverId)}`;
  }

  /** The running container prints these lines. */
  async print(lines: string[]): Promise<void> {
    const { written } = (await this.control('POST', `${this.pod}/logs`, { lines })) as { written: number };
    if (written !== lines.length) throw new Error(`the server printed ${written} of ${lines.length} lines`);
  }

  addPlayer(player: string): Promise<unknown> {
    return this.control('POST', `${this.pod}/players`, { player });
  }

  crash(): Promise<unknown> {
    return this.control('POST', `${this.pod}/crash`, {});
  }

  /** Cuts the open log follows of the server's pod (the console's one upstream stream); answers how many. */
  async cutLogStreams(): Promise<number> {
    const { cut } = (await this.control('POST', 'streams/cut', {
      kind: 'log',
      namespace: this.stack.gameNamespace,
      name: podName(this.serverId),
    })) as { cut: number };
    return cut;
  }
}

/** Connects a viewer with an access token or API key, closed with the others by `closeAll`. */
export class Viewers {
  private readonly open: ConsoleViewer[] = [];

  constructor(private readonly gatewayUrl: string) {}

  async connect(token: string): Promise<ConsoleViewer> {
    const viewer = await ConsoleViewer.connect(this.gatewayUrl, { token });
    this.open.push(viewer);
    return viewer;
  }

  closeAll(): void {
    for (const viewer of this.open.splice(0)) viewer.close();
  }
}

export const range = (from: number, count: number, prefix: string): string[] =>
  Array.from({ length: count }, (_, i) => `${prefix} ${from + i}`);

/** The HTTP status each refusal would have over HTTP, so a socket cell reads like a route's. */
const statusOf: Partial<Record<ErrorCode, number>> = {
  VALIDATION_FAILED: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  RATE_LIMITED: 429,
};

function refusalOutcome(error: ErrorBody | undefined): Outcome {
  return { status: (error && statusOf[error.code]) ?? 500, body: { error }, challenge: null };
}

/**
 * One socket event sent as a caller, as the authorization matrix sees it: the handshake with the caller's
 * credential, then the event; an acknowledged event is 200, a refusal (at the handshake or of the event)
 * the status its code has over HTTP, with the error as the body.
 */
export async function probeSocket(
  gatewayUrl: string,
  credential: string | undefined,
  event: string,
  payload: unknown,
): Promise<Outcome> {
  let viewer: ConsoleViewer;
  try {
    viewer = await ConsoleViewer.connect(gatewayUrl, credential === undefined ? {} : { token: credential });
  } catch (refusal) {
    return refusalOutcome((refusal as HandshakeRefusal).data);
  }
  try {
    const ack = await viewer.sendRaw(event, [payload], 30_000);
    return ack.ok ? { status: 200, body: ack.data, challenge: null } : refusalOutcome(ack.error);
  } finally {
    viewer.close();
  }
}
