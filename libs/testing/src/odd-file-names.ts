/** File names a shell would trip on, and UTF-8: what every file operation must carry byte for byte. */
export const oddFileNames: readonly string[] = [
  'with space.txt',
  `quote's "double".txt`,
  '$(touch x).txt',
  '`id`.txt',
  'semi;colon&amp|pipe>gt<lt*star?q[b]{c}~t!b#h',
  'ünï cødé 日本 🙂.txt',
  '-rf',
  '--help',
  '.hidden',
  'back\\slash',
  'percent%22.txt',
];
