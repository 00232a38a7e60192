import type { Namespace, Server, Socket } from 'socket.io';
import type { ConsoleClientToServerEvents, ConsoleServerToClientEvents } from '@blockplane/contracts';
import type { ViewerSession } from './viewer-session.js';

/** What the gateway keeps on a socket: its session, from the handshake on. */
export interface ConsoleSocketData {
  session?: ViewerSession;
}

type NoServerSideEvents = Record<string, never>;

export type ConsoleSocket = Socket<
  ConsoleClientToServerEvents,
  ConsoleServerToClientEvents,
  NoServerSideEvents,
  ConsoleSocketData
>;
export type ConsoleNamespace = Namespace<
  ConsoleClientToServerEvents,
  ConsoleServerToClientEvents,
  NoServerSideEvents,
  ConsoleSocketData
>;
export type ConsoleServer = Server<
  ConsoleClientToServerEvents,
  ConsoleServerToClientEvents,
  NoServerSideEvents,
  ConsoleSocketData
>;
