import { describe, expect, it } from '@jest/globals';
import { formatProperties, parseProperties } from './server-properties.js';

describe('server.properties', () => {
  it('parses what Java writes, with escapes, comments and continuation lines', () => {
    const props = parseProperties(
      [
        '#Minecraft server properties',
        '! old style comment',
        'level-type=minecraft\\:normal',
        'motd=Caf\\u00E9 \\= fun',
        '  spaced-key : value ',
        'multi=one \\',
        '    two',
        'empty=',
      ].join('\n'),
    );
    expect(props.get('level-type')).toBe('minecraft:normal');
    expect(props.get('motd')).toBe('Café = fun');
    expect(props.get('spaced-key')).toBe('value ');
    expect(props.get('multi')).toBe('one two');
    expect(props.get('empty')).toBe('');
    expect(props.size).toBe(5);
  });

  it('writes a header and sorted, escaped keys that parse back to the same map', () => {
    const props = new Map([
      ['motd', 'A §6golden: server #1'],
      ['generator-settings', '{}'],
      ['resource-pack', 'https://example.invalid/pack.zip'],
    ]);
    const text = formatProperties(props, new Date('2025-01-25T12:34:56Z'));
    const lines = text.trimEnd().split('\n');
    expect(lines.slice(0, 2)).toEqual(['#Minecraft server properties', '#Sat Jan 25 12:34:56 UTC 2025']);
    expect(lines.slice(2)).toEqual([
      'generator-settings={}',
      'motd=A \\u00A76golden\\: server \\#1',
      'resource-pack=https\\://example.invalid/pack.zip',
    ]);
    expect(parseProperties(text)).toEqual(props);
  });
});
