import { createServer, request, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';

/**
 * A pass-through proxy in front of the Kubernetes API that counts the requests it forwards
 * (watches and upgrades included), so a test can assert that some operation made none, and the
 * connections clients opened to it. It can also hold back watch events, to play an informer that lags.
 */
export class KubeRequestCounter {
  /** Each request forwarded, as its method and path, in order. */
  readonly requests: string[] = [];
  connections = 0;
  private readonly sockets = new Set<Socket>();
  /** While watch events are held: what they would have written, in order. */
  private held: (() => void)[] | undefined;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(target: string): Promise<KubeRequestCounter> {
    const upstream = new URL(target);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const counter = new KubeRequestCounter(server, `http://127.0.0.1:${port}`);
    server.on('connection', (socket) => {
      counter.connections++;
      counter.track(socket);
    });
    server.on('request', (req, res) => {
      counter.requests.push(`${req.method} ${req.url}`);
      const forward = request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          if (!isWatch(req.url)) return void answer.pipe(res);
          answer.on('data', (chunk: Buffer) => counter.deliver(() => res.write(chunk)));
          answer.on('end', () => counter.deliver(() => res.end()));
        },
      );
      forward.on('error', () => res.destroy());
      // A client that goes away (an aborted log follow) ends the upstream request too, as a direct one would.
      res.once('close', () => {
        if (!res.writableFinished) forward.destroy();
      });
      req.pipe(forward);
    });
    server.on('upgrade', (req, client: Socket, head: Buffer) => {
      counter.requests.push(`${req.method} ${req.url}`);
      const target = counter.track(connect(Number(upstream.port), upstream.hostname));
      const headers = Object.entries(req.headers).map(([k, v]) => `${k}: ${String(v)}\r\n`);
      target.write(`${req.method} ${req.url} HTTP/1.1\r\n${headers.join('')}\r\n`);
      target.write(head);
      target.pipe(client).pipe(target);
      target.on('error', () => client.destroy());
      client.on('error', () => target.destroy());
    });
    return counter;
  }

  get count(): number {
    return this.requests.length;
  }

  /** Keeps watch events back until the returned function is called, then delivers them in order. */
  holdWatches(): () => void {
    this.held ??= [];
    return () => {
      const held = this.held ?? [];
      this.held = undefined;
      for (const write of held) write();
    };
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private deliver(write: () => void): void {
    if (this.held) this.held.push(write);
    else write();
  }

  private track(socket: Socket): Socket {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    return socket;
  }
}

function isWatch(path = ''): boolean {
  const watch = new URL(path, 'http://localhost').searchParams.get('watch');
  return watch === 'true' || watch === '1';
}
