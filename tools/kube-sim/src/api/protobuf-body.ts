// kubectl's typed clients (e.g. `kubectl create namespace|secret|configmap`) send protobuf bodies:
// "k8s\0" + runtime.Unknown{typeMeta, raw}. This decodes the few kinds those commands create, using
// the field numbers of upstream's generated.proto; anything else is answered with 415.
import { ApiError } from './api-error.js';

type Json = Record<string, unknown>;
type FieldSpec =
  | { name: string; type: 'string' | 'int' | 'bool' | 'bytes' | 'time' }
  | { name: string; type: 'strings' }
  | { name: string; type: 'map'; value: 'string' | 'bytes' }
  | { name: string; type: 'message'; schema: Schema; repeated?: boolean };
type Schema = Record<number, FieldSpec>;

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
export const PROTOBUF = 'application/vnd.kubernetes.protobuf';

const OWNER_REFERENCE: Schema = {
  1: { name: 'kind', type: 'string' },
  3: { name: 'name', type: 'string' },
  4: { name: 'uid', type: 'string' },
  5: { name: 'apiVersion', type: 'string' },
  6: { name: 'controller', type: 'bool' },
  7: { name: 'blockOwnerDeletion', type: 'bool' },
};
const OBJECT_META: Schema = {
  1: { name: 'name', type: 'string' },
  2: { name: 'generateName', type: 'string' },
  3: { name: 'namespace', type: 'string' },
  5: { name: 'uid', type: 'string' },
  6: { name: 'resourceVersion', type: 'string' },
  11: { name: 'labels', type: 'map', value: 'string' },
  12: { name: 'annotations', type: 'map', value: 'string' },
  13: { name: 'ownerReferences', type: 'message', schema: OWNER_REFERENCE, repeated: true },
  14: { name: 'finalizers', type: 'strings' },
};
const KINDS: Record<string, Schema> = {
  Namespace: {
    1: { name: 'metadata', type: 'message', schema: OBJECT_META },
    2: { name: 'spec', type: 'message', schema: { 1: { name: 'finalizers', type: 'strings' } } },
  },
  Secret: {
    1: { name: 'metadata', type: 'message', schema: OBJECT_META },
    2: { name: 'data', type: 'map', value: 'bytes' },
    3: { name: 'type', type: 'string' },
    4: { name: 'stringData', type: 'map', value: 'string' },
    5: { name: 'immutable', type: 'bool' },
  },
  ConfigMap: {
    1: { name: 'metadata', type: 'message', schema: OBJECT_META },
    2: { name: 'data', type: 'map', value: 'string' },
    3: { name: 'binaryData', type: 'map', value: 'bytes' },
    4: { name: 'immutable', type: 'bool' },
  },
};
const UNKNOWN: Schema = {
  1: {
    name: 'typeMeta',
    type: 'message',
    schema: { 1: { name: 'apiVersion', type: 'string' }, 2: { name: 'kind', type: 'string' } },
  },
  2: { name: 'raw', type: 'bytes' },
};

export function isProtobuf(contentType: string | undefined): boolean {
  return (contentType ?? '').split(';')[0]?.trim() === PROTOBUF;
}

/** Decodes a protobuf request body into the JSON object it stands for. */
export function decodeProtobufObject(body: Buffer): Json {
  if (!body.subarray(0, 4).equals(MAGIC)) throw ApiError.badRequest('protobuf body without the k8s envelope');
  const unknown = decode(body.subarray(4), UNKNOWN);
  const typeMeta = (unknown.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const schema = KINDS[typeMeta.kind ?? ''];
  if (!schema || !(unknown.raw instanceof Buffer)) {
    throw new ApiError(
      415,
      'UnsupportedMediaType',
      `kube-sim decodes protobuf only for ${Object.keys(KINDS).join(', ')}; send ${typeMeta.kind ?? 'this object'} as application/json`,
    );
  }
  return { apiVersion: typeMeta.apiVersion, kind: typeMeta.kind, ...decode(unknown.raw, schema) };
}

function decode(buf: Buffer, schema: Schema): Json {
  const out: Json = {};
  let pos = 0;
  const varint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = buf[pos++];
      if (byte === undefined) throw ApiError.badRequest('truncated protobuf body');
      result += (byte & 0x7f) * 2 ** shift;
      if (!(byte & 0x80)) return result;
      shift += 7;
    }
  };
  while (pos < buf.length) {
    const tag = varint();
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    let value: Buffer | number;
    if (wire === 0) value = varint();
    else if (wire === 2) {
      const len = varint();
      value = buf.subarray(pos, pos + len);
      pos += len;
    } else if (wire === 1 || wire === 5) {
      pos += wire === 1 ? 8 : 4;
      continue;
    } else throw ApiError.badRequest(`unsupported protobuf wire type ${wire}`);
    const spec = schema[field];
    if (spec) assign(out, spec, value);
  }
  return out;
}

function assign(out: Json, spec: FieldSpec, value: Buffer | number): void {
  const bytes = value instanceof Buffer ? value : Buffer.alloc(0);
  switch (spec.type) {
    case 'string':
      out[spec.name] = bytes.toString('utf8');
      break;
    case 'bytes':
      out[spec.name] = Buffer.from(bytes);
      break;
    case 'int':
      out[spec.name] = value as number;
      break;
    case 'bool':
      out[spec.name] = value === 1;
      break;
    case 'time':
      break;
    case 'strings':
      ((out[spec.name] ??= []) as string[]).push(bytes.toString('utf8'));
      break;
    case 'map': {
      const entry = decode(bytes, {
        1: { name: 'key', type: 'string' },
        2: { name: 'value', type: spec.value === 'bytes' ? 'bytes' : 'string' },
      });
      const v = entry.value instanceof Buffer ? entry.value.toString('base64') : (entry.value ?? '');
      ((out[spec.name] ??= {}) as Json)[String(entry.key ?? '')] = v;
      break;
    }
    case 'message': {
      const decoded = decode(bytes, spec.schema);
      if (spec.repeated) ((out[spec.name] ??= []) as Json[]).push(decoded);
      else out[spec.name] = decoded;
      break;
    }
  }
}
