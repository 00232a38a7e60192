import { ApiError } from './api-error.js';

type Requirement = { key: string; op: 'exists' | 'notexists' } | { key: string; op: 'in' | 'notin'; values: string[] };

export type Matcher = (labels: Record<string, string> | undefined) => boolean;

const KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Parses a label selector (`=`, `==`, `!=`, `in`, `notin`, `key`, `!key`) into a matcher; 400 when malformed. */
export function parseLabelSelector(selector: string | undefined): Matcher {
  const text = selector?.trim() ?? '';
  if (!text) return () => true;
  const requirements = splitTopLevel(text).map(parseRequirement);
  return (labels) => requirements.every((r) => matches(r, labels ?? {}));
}

function matches(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, r.key);
  switch (r.op) {
    case 'exists':
      return has;
    case 'notexists':
      return !has;
    case 'in':
      return has && r.values.includes(labels[r.key] ?? '');
    case 'notin':
      return !has || !r.values.includes(labels[r.key] ?? '');
  }
}

/** Splits on commas that are not inside a `( … )` value set. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim());
}

function parseRequirement(part: string): Requirement {
  const fail = (why: string) => ApiError.badRequest(`unable to parse requirement: ${why}: "${part}"`);
  const set = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
  if (set) {
    const values = (set[3] ?? '').split(',').map((v) => v.trim());
    return {
      key: checkKey(set[1] ?? '', fail),
      op: set[2] as 'in' | 'notin',
      values: values.map((v) => checkValue(v, fail)),
    };
  }
  const cmp = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
  if (cmp) {
    const key = checkKey(cmp[1] ?? '', fail);
    const value = checkValue(cmp[3] ?? '', fail);
    return { key, op: cmp[2] === '!=' ? 'notin' : 'in', values: [value] };
  }
  if (part.startsWith('!')) return { key: checkKey(part.slice(1).trim(), fail), op: 'notexists' };
  return { key: checkKey(part, fail), op: 'exists' };
}

function checkKey(key: string, fail: (why: string) => ApiError): string {
  if (!KEY.test(key)) throw fail('invalid label key');
  return key;
}

function checkValue(value: string, fail: (why: string) => ApiError): string {
  if (value.length > 63 || !VALUE.test(value)) throw fail('invalid label value');
  return value;
}
