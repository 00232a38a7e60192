// Where pod volumes live on the host: a PVC's data under stateDir/volumes/<ns>/<claim>,
// anything else (emptyDir, or no volume at /data) under the pod's own directory.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerSpec, Pod } from './pod-types.js';

export function claimDir(stateDir: string, namespace: string, claim: string): string {
  return join(stateDir, 'volumes', namespace, claim);
}

/** The host directory the container sees at /data, created if needed. */
export function dataDirFor(stateDir: string, pod: Pod, container: ContainerSpec): string {
  const namespace = pod.metadata.namespace ?? 'default';
  const volumes = pod.spec.volumes ?? [];
  const mount = container.volumeMounts?.find((m) => m.mountPath.replace(/\/+$/, '') === '/data');
  const volume = mount ? volumes.find((v) => v.name === mount.name) : volumes.find((v) => v.persistentVolumeClaim);
  const base = volume?.persistentVolumeClaim
    ? claimDir(stateDir, namespace, volume.persistentVolumeClaim.claimName)
    : join(stateDir, 'pods', pod.metadata.uid ?? 'unknown', 'volumes', volume?.name ?? 'data');
  const dir = mount?.subPath ? join(base, mount.subPath) : base;
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The container's writable /tmp, under the pod's own directory (gone with the simulator's state). */
export function scratchDirFor(stateDir: string, pod: Pod, container: ContainerSpec): string {
  const dir = join(stateDir, 'pods', pod.metadata.uid ?? 'unknown', 'containers', container.name, 'tmp');
  mkdirSync(dir, { recursive: true, mode: 0o1777 });
  return dir;
}
