import { envTypes } from '@blockplane/config';
import { z } from 'zod';

/** Where the game servers run and how hard the provisioner may lean on the Kubernetes API. */
export const provisionerSection = z
  .object({
    KUBECONFIG: envTypes.kubeconfig(),
    GAME_NAMESPACE: envTypes.namespace('blockplane-games'),
    GAME_SERVICE_TYPE: envTypes.oneOf(['LoadBalancer', 'ClusterIP', 'NodePort'], 'LoadBalancer'),
    GAME_IMAGE: envTypes.text('itzg/minecraft-server:latest'),
    // Where players connect on the Service; the container always listens on 25565.
    GAME_SERVICE_PORT: envTypes.port(25565),
    // 4 calls a new server: 12 servers a second, 25 at once; the API server's priority and fairness does the rest.
    KUBE_QPS: envTypes.integer(50, 1),
    KUBE_BURST: envTypes.integer(100, 1),
    RECONCILE_INTERVAL_MS: envTypes.integer(30_000, 100),
    ORPHAN_GRACE_MS: envTypes.integer(60_000, 0),
  })
  .transform((e) => ({
    kubeconfig: e.KUBECONFIG,
    namespace: e.GAME_NAMESPACE,
    serviceType: e.GAME_SERVICE_TYPE,
    image: e.GAME_IMAGE,
    servicePort: e.GAME_SERVICE_PORT,
    qps: e.KUBE_QPS,
    burst: e.KUBE_BURST,
    reconcileIntervalMs: e.RECONCILE_INTERVAL_MS,
    orphanGraceMs: e.ORPHAN_GRACE_MS,
  }));
export type ProvisionerConfig = z.output<typeof provisionerSection>;

export const PROVISIONER_CONFIG = Symbol('PROVISIONER_CONFIG');
