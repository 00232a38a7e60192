// Minecraft's side of RCON: its limits and how it splits replies (the packet codec is @blockplane/rcon).
import { type RconPacket, SERVERDATA_RESPONSE_VALUE } from '@blockplane/rcon';

/** Minecraft splits long replies into packets of this many characters. */
export const MAX_RESPONSE_CHARS = 4096;
/** Minecraft refuses requests longer than this. */
export const MAX_REQUEST_LENGTH = 1460;

/** A command reply as the packets Minecraft sends: at least one, each at most 4096 characters. */
export function responsePackets(id: number, reply: string): RconPacket[] {
  const packets: RconPacket[] = [];
  let rest = reply;
  do {
    packets.push({ id, type: SERVERDATA_RESPONSE_VALUE, body: rest.slice(0, MAX_RESPONSE_CHARS) });
    rest = rest.slice(MAX_RESPONSE_CHARS);
  } while (rest.length > 0);
  return packets;
}
