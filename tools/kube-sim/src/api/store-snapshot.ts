import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Store, StoreSnapshot } from './store.js';
import type { KubeObject } from './types.js';

/** Kept only while the simulator runs: they describe processes and moments that are gone after a restart. */
const TRANSIENT = new Set(['events', 'pods/metrics.k8s.io', 'nodes/metrics.k8s.io']);

/**
 * Loads a snapshot saved by saveSnapshot. Pods owned by a controller are dropped (their controller
 * recreates them, on the same volumes); bare pods come back unscheduled, as after a node loss.
 */
export async function loadSnapshot(store: Store, file: string): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
  const saved = JSON.parse(text) as StoreSnapshot;
  const objects = saved.objects.filter(
    ({ ref }) => !TRANSIENT.has(ref.group ? `${ref.plural}/${ref.group}` : ref.plural),
  );
  store.restore({
    resourceVersion: saved.resourceVersion,
    objects: objects.flatMap(({ ref, object }) => {
      if (ref.group !== '' || ref.plural !== 'pods') return [{ ref, object }];
      if (object.metadata.ownerReferences?.some((o) => o.controller)) return [];
      return [{ ref, object: unscheduled(object) }];
    }),
  });
  return true;
}

export async function saveSnapshot(store: Store, file: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(store.snapshot()));
  await rename(tmp, file);
}

function unscheduled(pod: KubeObject): KubeObject {
  const { nodeName: _n, ...spec } = (pod.spec ?? {}) as Record<string, unknown>;
  return { ...pod, spec, status: { phase: 'Pending' } };
}
