// Every emulated server listens on its own pod IP, but 10,000 servers × 2 ports would be
// 20,000 listening sockets, past the file-descriptor limit. Instead the process keeps ONE
// listening socket per port, bound to 0.0.0.0 so that connections to any 127.x.y.z reach
// it, and hands each accepted connection to the server that owns the address the client
// dialled (socket.localAddress). Peers that are not on loopback are dropped at once, and an
// address nobody owns is refused with a reset, as a closed port would be.
import { createServer, type Server, type Socket } from 'node:net';

export type ConnectionHandler = (socket: Socket) => void;

interface PortListener {
  server: Server;
  routes: Map<string, ConnectionHandler>;
  listening: Promise<void>;
}

const listeners = new Map<number, PortListener>();
const closing = new Map<number, Promise<void>>();

/** Routes connections to host:port to handler; resolves to a function that removes the route. */
export async function routeConnections(port: number, host: string, handler: ConnectionHandler): Promise<() => void> {
  await closing.get(port);
  const listener = listeners.get(port) ?? openListener(port);
  if (listener.routes.has(host)) throw new Error(`listen EADDRINUSE: address already in use ${host}:${port}`);
  listener.routes.set(host, handler);
  try {
    await listener.listening;
  } catch (err) {
    listener.routes.delete(host);
    throw err;
  }
  return () => {
    if (listener.routes.get(host) !== handler) return;
    listener.routes.delete(host);
    if (listener.routes.size === 0 && listeners.get(port) === listener) closeListener(port, listener);
  };
}

function openListener(port: number): PortListener {
  const routes = new Map<string, ConnectionHandler>();
  const server = createServer({ noDelay: true }, (socket) => dispatch(socket, routes));
  const listening = new Promise<void>((resolve, reject) => {
    server.once('error', (err) => {
      listeners.delete(port);
      reject(err);
    });
    server.listen({ port, host: '0.0.0.0', backlog: 4096 }, resolve);
  });
  listening.catch(() => undefined);
  const listener = { server, routes, listening };
  listeners.set(port, listener);
  return listener;
}

function closeListener(port: number, listener: PortListener): void {
  listeners.delete(port);
  const closed = new Promise<void>((resolve) => listener.server.close(() => resolve()));
  closing.set(port, closed);
  void closed.then(() => {
    if (closing.get(port) === closed) closing.delete(port);
  });
}

function dispatch(socket: Socket, routes: Map<string, ConnectionHandler>): void {
  const handler = isLoopback(socket.remoteAddress) ? routes.get(socket.localAddress ?? '') : undefined;
  if (handler) handler(socket);
  else socket.resetAndDestroy();
}

function isLoopback(address: string | undefined): boolean {
  return address?.startsWith('127.') === true;
}
