import { describe, expect, it } from '@jest/globals';
import { objectName, type ServerSpec } from '@blockplane/contracts';
import { cpuQuantity, heapFor, sameSpec, statefulSetManifest, traceOf, tracePatch } from './game-server.manifests.js';

const spec: ServerSpec = {
  serverId: '0b7d4a5e-5c1e-4c3f-9d56-2f1f8e4f4a10',
  ownerId: '7a1c4b0e-3a2b-4c5d-8e9f-0a1b2c3d4e5f',
  name: 'Any name at all — even "this"',
  type: 'fabric',
  version: '1.21.4',
  resources: { cpuCores: 2, memoryMb: 4096, diskGb: 20 },
  desiredState: 'running',
};

describe('game server manifests', () => {
  it('names objects with a DNS-1123 label short enough for StatefulSet pods', () => {
    const name = objectName(spec.serverId);
    expect(name).toHaveLength(39);
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    expect(`${name}-0`.length).toBeLessThanOrEqual(52);
  });

  it('leaves a quarter of the memory limit to the JVM and the OS', () => {
    expect(heapFor(4096)).toBe('3072M');
    expect(heapFor(1000)).toBe('750M');
    expect([cpuQuantity(2), cpuQuantity(0.5)]).toEqual(['2', '500m']);
  });

  it('sees a spec change but not a replica change as a different StatefulSet', () => {
    const running = statefulSetManifest(spec, 'games', 'img', 1);
    expect(sameSpec(running, statefulSetManifest(spec, 'games', 'img', 0))).toBe(true);
    expect(sameSpec(running, statefulSetManifest({ ...spec, version: '1.20.1' }, 'games', 'img', 1))).toBe(false);
    expect(sameSpec(running, statefulSetManifest(spec, 'games', 'other-img', 1))).toBe(false);
  });

  it("records a request's trace on the StatefulSet only, where it changes neither the pod nor the spec", () => {
    const trace = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'k=v' };
    const traced = statefulSetManifest(spec, 'games', 'img', 1, trace);
    const plain = statefulSetManifest(spec, 'games', 'img', 1);
    expect(traceOf(traced)).toEqual(trace);
    expect(traceOf(plain)).toEqual({});
    expect(traced.spec).toEqual(plain.spec);
    expect(sameSpec(traced, plain)).toBe(true);
    const patched = tracePatch({ traceparent: trace.traceparent }).metadata.annotations;
    expect(Object.values(patched)).toEqual([trace.traceparent, null]);
  });
});
