// Server List Ping on the game port: the modern protocol (handshake → status request →
// JSON, ping → pong) and the legacy 0xFE ping that pre-1.7 clients and some tools send.
import type { Socket } from 'node:net';

export interface ServerStatus {
  version: { name: string; protocol: number };
  players: { online: number; max: number; sample: Array<{ name: string; id: string }> };
  description: { text: string };
  enforcesSecureChat: boolean;
}

export interface StatusProvider {
  status(): ServerStatus;
  /** a client that tried to log in: the emulation has no game to offer it */
  loginRefusal(): string;
}

const MAX_BUFFERED = 4096;
const IDLE_TIMEOUT_MS = 30_000;

/** Reads a VarInt; undefined when the buffer ends before it does. */
export function readVarInt(buf: Buffer, offset: number): { value: number; size: number } | undefined {
  let value = 0;
  for (let size = 0; size < 5; size++) {
    if (offset + size >= buf.length) return undefined;
    const byte = buf.readUInt8(offset + size);
    value |= (byte & 0x7f) << (7 * size);
    if ((byte & 0x80) === 0) return { value, size: size + 1 };
  }
  throw new Error('VarInt too big');
}

export function writeVarInt(value: number): Buffer {
  const bytes: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (v !== 0);
  return Buffer.from(bytes);
}

export function writeString(s: string): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  return Buffer.concat([writeVarInt(bytes.length), bytes]);
}

export function framePacket(id: number, payload: Buffer): Buffer {
  const body = Buffer.concat([writeVarInt(id), payload]);
  return Buffer.concat([writeVarInt(body.length), body]);
}

/** Splits complete length-prefixed packets off the front of buf. */
export function takePackets(buf: Buffer): { packets: Array<{ id: number; data: Buffer }>; rest: Buffer } {
  const packets: Array<{ id: number; data: Buffer }> = [];
  let offset = 0;
  for (;;) {
    const length = readVarInt(buf, offset);
    if (!length || offset + length.size + length.value > buf.length) break;
    const start = offset + length.size;
    const id = readVarInt(buf, start);
    if (!id) throw new Error('empty packet');
    packets.push({ id: id.value, data: buf.subarray(start + id.size, start + length.value) });
    offset = start + length.value;
  }
  return { packets, rest: buf.subarray(offset) };
}

/** The 1.6 kick packet that answers 0xFE: "§1\0protocol\0version\0motd\0online\0max" in UTF-16BE. */
export function legacyStatusResponse(status: ServerStatus): Buffer {
  const text = [
    '\u00a71',
    status.version.protocol,
    status.version.name,
    status.description.text,
    status.players.online,
    status.players.max,
  ].join('\0');
  const out = Buffer.alloc(3 + text.length * 2);
  out[0] = 0xff;
  out.writeUInt16BE(text.length, 1);
  for (let i = 0; i < text.length; i++) out.writeUInt16BE(text.charCodeAt(i), 3 + i * 2);
  return out;
}

export function serveStatusConnection(socket: Socket, provider: StatusProvider): void {
  let buffered: Buffer = Buffer.alloc(0);
  let state: 'handshake' | 'status' | 'login' = 'handshake';
  socket.setTimeout(IDLE_TIMEOUT_MS, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk: Buffer) => {
    buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
    if (state === 'handshake' && buffered[0] === 0xfe) {
      socket.end(legacyStatusResponse(provider.status()));
      return;
    }
    if (buffered.length > MAX_BUFFERED) return void socket.destroy();
    try {
      const { packets, rest } = takePackets(buffered);
      buffered = rest;
      for (const packet of packets) state = handlePacket(socket, provider, state, packet);
    } catch {
      socket.destroy();
    }
  });
}

function handlePacket(
  socket: Socket,
  provider: StatusProvider,
  state: 'handshake' | 'status' | 'login',
  packet: { id: number; data: Buffer },
): 'handshake' | 'status' | 'login' {
  if (state === 'handshake') {
    if (packet.id !== 0x00) throw new Error('expected a handshake');
    const next = packet.data[packet.data.length - 1];
    if (next === 1) return 'status';
    socket.end(framePacket(0x00, writeString(JSON.stringify({ text: provider.loginRefusal() }))));
    return 'login';
  }
  if (state === 'status' && packet.id === 0x00) {
    socket.write(framePacket(0x00, writeString(JSON.stringify(provider.status()))));
  } else if (state === 'status' && packet.id === 0x01) {
    socket.end(framePacket(0x01, packet.data.subarray(0, 8)));
  }
  return state;
}
