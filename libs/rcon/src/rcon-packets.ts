// The Source RCON protocol as Minecraft speaks it: little-endian
// [length][request id][type][body\0][\0] packets over TCP.

export const SERVERDATA_RESPONSE_VALUE = 0;
export const SERVERDATA_EXECCOMMAND = 2;
export const SERVERDATA_AUTH_RESPONSE = 2;
export const SERVERDATA_AUTH = 3;

export interface RconPacket {
  id: number;
  type: number;
  body: string;
}

export function encodeRconPacket({ id, type, body }: RconPacket): Buffer {
  const text = Buffer.from(body, 'utf8');
  const out = Buffer.alloc(14 + text.length);
  out.writeInt32LE(10 + text.length, 0);
  out.writeInt32LE(id, 4);
  out.writeInt32LE(type, 8);
  text.copy(out, 12);
  return out;
}

/**
 * Complete packets off the front of `buf`, and what is left of an incomplete one. Throws on a length
 * below the minimum or above `maxLength` (each side knows how long a packet it accepts).
 */
export function decodeRconPackets(buf: Buffer, maxLength: number): { packets: RconPacket[]; rest: Buffer } {
  const packets: RconPacket[] = [];
  let offset = 0;
  while (buf.length - offset >= 4) {
    const length = buf.readInt32LE(offset);
    if (length < 10 || length > maxLength) throw new Error(`bad RCON packet length ${length}`);
    if (buf.length - offset - 4 < length) break;
    const id = buf.readInt32LE(offset + 4);
    const type = buf.readInt32LE(offset + 8);
    const body = buf.toString('utf8', offset + 12, offset + 4 + length).replace(/\0+$/, '');
    packets.push({ id, type, body });
    offset += 4 + length;
  }
  return { packets, rest: buf.subarray(offset) };
}
