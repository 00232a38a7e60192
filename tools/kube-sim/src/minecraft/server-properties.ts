// server.properties is a java.util.Properties file: parse and write it the way Java does,
// so files edited by hand (or by the real server) survive a round trip.

export type Properties = Map<string, string>;

export function parseProperties(text: string): Properties {
  const props: Properties = new Map();
  for (const rawLine of joinContinuations(text)) {
    const line = rawLine.trimStart();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const sep = findSeparator(line);
    const key = unescape(line.slice(0, sep).trimEnd());
    const value = unescape(line.slice(sep + 1).replace(/^[ \t\f]*[=:]?[ \t\f]*/, ''));
    props.set(key, sep === line.length ? '' : value);
  }
  return props;
}

export function formatProperties(props: Properties, now: Date): string {
  const lines = ['#Minecraft server properties', `#${javaDate(now)}`];
  for (const [key, value] of [...props].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    lines.push(`${escape(key, true)}=${escape(value, false)}`);
  }
  return lines.join('\n') + '\n';
}

function joinContinuations(text: string): string[] {
  const out: string[] = [];
  let pending = '';
  for (const line of text.split(/\r\n|\r|\n/)) {
    const trailing = /\\+$/.exec(line)?.[0].length ?? 0;
    if (trailing % 2 === 1) {
      pending += (pending ? line.trimStart() : line).slice(0, -1);
      continue;
    }
    out.push(pending + (pending ? line.trimStart() : line));
    pending = '';
  }
  if (pending) out.push(pending);
  return out;
}

/** Index of the first unescaped '=', ':' or whitespace ending the key. */
function findSeparator(line: string): number {
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\') i++;
    else if (c === '=' || c === ':' || c === ' ' || c === '\t' || c === '\f') return i;
  }
  return line.length;
}

function unescape(s: string): string {
  return s.replace(/\\(u[0-9a-fA-F]{4}|.)/g, (_, e: string) => {
    if (e.startsWith('u') && e.length === 5) return String.fromCharCode(parseInt(e.slice(1), 16));
    return ({ t: '\t', n: '\n', r: '\r', f: '\f' } as Record<string, string>)[e] ?? e;
  });
}

function escape(s: string, isKey: boolean): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    const code = c.charCodeAt(0);
    if (c === ' ' && (isKey || i === 0)) out += '\\ ';
    else if (c === '\\' || c === '=' || c === ':' || c === '#' || c === '!') out += '\\' + c;
    else if (c === '\t') out += '\\t';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\f') out += '\\f';
    else if (code < 0x20 || code > 0x7e) out += '\\u' + code.toString(16).toUpperCase().padStart(4, '0');
    else out += c;
  }
  return out;
}

/** Date.toString() as Java prints it in the header: "Sat Jan 25 12:00:00 UTC 2025". */
function javaDate(d: Date): string {
  const [weekday, day, month, year] = d.toUTCString().replace(',', '').split(' ');
  return `${weekday} ${month} ${day} ${d.toISOString().slice(11, 19)} UTC ${year}`;
}
