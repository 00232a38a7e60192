import { MANAGED_SELECTOR } from '@blockplane/contracts';
import { describe, expect, it } from '@jest/globals';
import { FILE_HOST_SELECTOR, fileHostManifest, fileHostName, USED_AT } from './file-host.manifests.js';

const serverId = '0b9f2d5e-3c1a-4f7e-9a6b-2d8c4e1f0a37';
const pod = fileHostManifest({
  serverId,
  namespace: 'games',
  image: 'ubuntu:24.04',
  uid: 1000,
  gid: 1000,
  owner: { name: `mc-${serverId}`, uid: 'sts-uid' },
  usedAt: '2026-11-26T10:00:00.000Z',
});

/** Whether a `k=v,k=v` selector matches the labels. */
const matches = (selector: string, labels: Record<string, string> = {}) =>
  selector.split(',').every((term) => {
    const [key = '', value] = term.split('=');
    return labels[key] === value;
  });

describe('fileHostManifest', () => {
  it('names the helper after the server, a valid pod name', () => {
    expect(pod.metadata?.name).toBe(fileHostName(serverId));
    expect(fileHostName(serverId)).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
  });

  it('is found by its own selector and never by the status watcher’s (it is not the game pod)', () => {
    expect(matches(FILE_HOST_SELECTOR, pod.metadata?.labels)).toBe(true);
    expect(matches(MANAGED_SELECTOR, pod.metadata?.labels)).toBe(false);
    expect(pod.metadata?.labels?.['blockplane.dev/server-id']).toBeUndefined();
  });

  it('mounts the server’s volume at /data and goes with its StatefulSet', () => {
    expect(pod.spec?.volumes).toEqual([
      { name: 'data', persistentVolumeClaim: { claimName: `data-mc-${serverId}-0` } },
    ]);
    expect(pod.spec?.containers[0]?.volumeMounts).toEqual([{ name: 'data', mountPath: '/data' }]);
    expect(pod.metadata?.ownerReferences).toEqual([
      { apiVersion: 'apps/v1', kind: 'StatefulSet', name: `mc-${serverId}`, uid: 'sts-uid', blockOwnerDeletion: true },
    ]);
    expect(pod.metadata?.annotations?.[USED_AT]).toBe('2026-11-26T10:00:00.000Z');
  });

  it('only waits, without a token, privileges or a writable root, as the files’ owner', () => {
    expect(pod.spec?.containers[0]?.command).toEqual(['sleep', 'infinity']);
    expect(pod.spec?.automountServiceAccountToken).toBe(false);
    expect(pod.spec?.securityContext).toMatchObject({ runAsUser: 1000, runAsGroup: 1000, runAsNonRoot: true });
    expect(pod.spec?.containers[0]?.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
  });
});
