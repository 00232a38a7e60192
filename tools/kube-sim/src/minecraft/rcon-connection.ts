// One RCON client connection: authenticate, run commands, answer in Minecraft's packets.
import type { Socket } from 'node:net';
import {
  decodeRconPackets,
  encodeRconPacket,
  type RconPacket,
  SERVERDATA_AUTH,
  SERVERDATA_AUTH_RESPONSE,
  SERVERDATA_EXECCOMMAND,
  SERVERDATA_RESPONSE_VALUE,
} from '@blockplane/rcon';
import { MAX_REQUEST_LENGTH, responsePackets } from './rcon-protocol.js';

export interface RconTarget {
  /** undefined when RCON is disabled */
  rconPassword(): string | undefined;
  runRconCommand(command: string): string;
  rconClientEvent(event: 'started' | 'shutting down', remote: string): void;
}

export function serveRconConnection(socket: Socket, target: RconTarget): void {
  let buffered: Buffer = Buffer.alloc(0);
  let authenticated = false;
  const remote = socket.remoteAddress ?? 'unknown';
  target.rconClientEvent('started', remote);
  socket.on('close', () => target.rconClientEvent('shutting down', remote));
  socket.on('error', () => socket.destroy());
  const send = (packet: RconPacket) => socket.write(encodeRconPacket(packet));

  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
    let packets: RconPacket[];
    try {
      ({ packets, rest: buffered } = decodeRconPackets(buffered, MAX_REQUEST_LENGTH));
    } catch {
      socket.destroy();
      return;
    }
    for (const packet of packets) {
      if (packet.type === SERVERDATA_AUTH) {
        const password = target.rconPassword();
        authenticated = password !== undefined && password !== '' && packet.body === password;
        send({ id: authenticated ? packet.id : -1, type: SERVERDATA_AUTH_RESPONSE, body: '' });
      } else if (!authenticated) {
        send({ id: -1, type: SERVERDATA_AUTH_RESPONSE, body: '' });
      } else if (packet.type === SERVERDATA_EXECCOMMAND) {
        for (const reply of responsePackets(packet.id, target.runRconCommand(packet.body))) send(reply);
      } else if (packet.type === SERVERDATA_RESPONSE_VALUE) {
        // The end-of-response trick: clients send an empty RESPONSE_VALUE after a command
        // and read until it comes back, because replies may span several packets.
        send({ id: packet.id, type: SERVERDATA_RESPONSE_VALUE, body: '' });
      } else {
        send({ id: packet.id, type: SERVERDATA_RESPONSE_VALUE, body: `Unknown request ${packet.type.toString(16)}` });
      }
    }
  });
}
