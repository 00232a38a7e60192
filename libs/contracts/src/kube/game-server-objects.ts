// How the panel names and labels a game server's Kubernetes objects. The provisioner owns the objects;
// the console and files services find them by these names and labels and only read them.

export const MANAGED_SELECTOR = 'app.kubernetes.io/managed-by=blockplane';
export const SERVER_ID_LABEL = 'blockplane.dev/server-id';

/** `mc-<uuid>`: a 39-character DNS-1123 label, unique per server, short enough for StatefulSet pods. */
export function objectName(serverId: string): string {
  return `mc-${serverId}`;
}

export function podName(serverId: string): string {
  return `${objectName(serverId)}-0`;
}

export function volumeClaimName(serverId: string): string {
  return `data-${podName(serverId)}`;
}
