import { objectName, volumeClaimName } from '@blockplane/contracts';
import type { V1Pod } from '@kubernetes/client-node';

export const FILE_HOST_CONTAINER = 'files';
export const FILE_HOST_FIELD_MANAGER = 'blockplane-file-host';
/** Not `managed-by=blockplane`: the status watcher reads every such pod as the server's game pod. */
export const FILE_HOST_SELECTOR =
  'app.kubernetes.io/component=file-host,app.kubernetes.io/managed-by=blockplane-file-host';
export const FILE_HOST_SERVER_LABEL = 'blockplane.dev/file-host-for';
/** When the helper was last acquired; it is removed once this is older than the idle time. */
export const USED_AT = 'blockplane.dev/used-at';

export function fileHostName(serverId: string): string {
  return `${objectName(serverId)}-files`;
}

export interface FileHostPodOptions {
  serverId: string;
  namespace: string;
  image: string;
  uid: number;
  gid: number;
  /** The server's StatefulSet: the helper dies with it. */
  owner: { name: string; uid: string };
  usedAt: string;
}

/**
 * A pod that only waits, mounting the server's volume at /data for the files service's exec: no
 * service account token, no privilege, a read-only root, running as the files' owner.
 */
export function fileHostManifest(options: FileHostPodOptions): V1Pod {
  const { serverId, namespace, image, uid, gid, owner, usedAt } = options;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: fileHostName(serverId),
      namespace,
      labels: {
        'app.kubernetes.io/name': 'minecraft',
        'app.kubernetes.io/instance': objectName(serverId),
        'app.kubernetes.io/component': 'file-host',
        'app.kubernetes.io/part-of': 'blockplane',
        'app.kubernetes.io/managed-by': 'blockplane-file-host',
        [FILE_HOST_SERVER_LABEL]: serverId,
      },
      annotations: { [USED_AT]: usedAt },
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'StatefulSet', name: owner.name, uid: owner.uid, blockOwnerDeletion: true },
      ],
    },
    spec: {
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 5,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      securityContext: {
        runAsUser: uid,
        runAsGroup: gid,
        runAsNonRoot: uid !== 0,
        fsGroup: gid,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [
        {
          name: FILE_HOST_CONTAINER,
          image,
          command: ['sleep', 'infinity'],
          resources: { requests: { cpu: '50m', memory: '32Mi' }, limits: { cpu: '1', memory: '256Mi' } },
          securityContext: {
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          },
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
        },
      ],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: volumeClaimName(serverId) } }],
    },
  };
}
