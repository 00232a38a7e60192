import { describe, expect, it } from '@jest/globals';
import { decodeRconPackets, encodeRconPacket } from './rcon-packets.js';

describe('RCON packets', () => {
  it('encodes and decodes the little-endian Source layout', () => {
    const packet = encodeRconPacket({ id: 7, type: 2, body: 'list' });
    expect(packet.readInt32LE(0)).toBe(packet.length - 4);
    expect([...packet.subarray(-2)]).toEqual([0, 0]);
    const { packets, rest } = decodeRconPackets(Buffer.concat([packet, packet.subarray(0, 5)]), 1460);
    expect(packets).toEqual([{ id: 7, type: 2, body: 'list' }]);
    expect(rest.length).toBe(5);
    expect(() => decodeRconPackets(Buffer.from([1, 0, 0, 0]), 1460)).toThrow(/bad RCON packet length/);
  });

  it('refuses a packet longer than the reader accepts', () => {
    const packet = encodeRconPacket({ id: 1, type: 2, body: 'x'.repeat(100) });
    expect(() => decodeRconPackets(packet, 50)).toThrow(/bad RCON packet length 110/);
    expect(decodeRconPackets(packet, 110).packets).toHaveLength(1);
  });
});
