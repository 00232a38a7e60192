import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { offlinePlayerUuid } from './offline-uuid.js';
import { MAX_RESPONSE_CHARS, responsePackets } from './rcon-protocol.js';
import { framePacket, legacyStatusResponse, readVarInt, takePackets, writeString, writeVarInt } from './status-ping.js';

describe('VarInt and packet framing', () => {
  it('round-trips VarInts, including the multi-byte and negative cases', () => {
    for (const n of [0, 1, 127, 128, 255, 25565, 2097151, 2147483647, -1]) {
      const bytes = writeVarInt(n);
      expect(readVarInt(bytes, 0)).toEqual({ value: n, size: bytes.length });
    }
    expect([...writeVarInt(300)]).toEqual([0xac, 0x02]);
    expect(readVarInt(Buffer.from([0x80]), 0)).toBeUndefined();
  });

  it('splits complete packets and keeps a partial one for later', () => {
    const one = framePacket(0x00, writeString('hi'));
    const two = framePacket(0x01, Buffer.alloc(8, 7));
    const { packets, rest } = takePackets(Buffer.concat([one, two.subarray(0, 4)]));
    expect(packets).toEqual([{ id: 0, data: writeString('hi') }]);
    expect(rest).toEqual(two.subarray(0, 4));
  });

  it('answers the legacy ping with a UTF-16BE kick packet', () => {
    const out = legacyStatusResponse({
      version: { name: '1.21.4', protocol: 769 },
      players: { online: 1, max: 20, sample: [] },
      description: { text: 'Hello' },
      enforcesSecureChat: false,
    });
    expect(out[0]).toBe(0xff);
    const text = Buffer.from(out.subarray(3)).swap16().toString('utf16le');
    expect(out.readUInt16BE(1)).toBe(text.length);
    expect(text.split('\0')).toEqual(['§1', '769', '1.21.4', 'Hello', '1', '20']);
  });
});

describe('RCON replies', () => {
  it('splits long replies into 4096-character packets and always sends at least one', () => {
    const reply = 'x'.repeat(MAX_RESPONSE_CHARS * 2 + 10);
    expect(responsePackets(3, reply).map((p) => [p.id, p.body.length])).toEqual([
      [3, 4096],
      [3, 4096],
      [3, 10],
    ]);
    expect(responsePackets(4, '')).toEqual([{ id: 4, type: 0, body: '' }]);
  });
});

describe('offlinePlayerUuid', () => {
  it('is the name-based (v3) UUID of "OfflinePlayer:<name>"', () => {
    const uuid = offlinePlayerUuid('Notch');
    const md5 = createHash('md5').update('OfflinePlayer:Notch').digest('hex');
    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-3[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuid.replace(/-/g, '').slice(0, 12)).toBe(md5.slice(0, 12));
    expect(uuid).toBe('b50ad385-829d-3141-a216-7e7d7539ba7f');
    expect(offlinePlayerUuid('notch')).not.toBe(uuid);
  });
});
