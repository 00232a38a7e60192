import { AppsV1Api, CoreV1Api, KubeConfig, type V1ObjectMeta } from '@kubernetes/client-node';

export interface ServerObjects {
  statefulSets: string[];
  services: string[];
  secrets: string[];
  volumeClaims: string[];
  pods: string[];
}

/** What the test sees in the cluster, through client-node against the simulator's kubeconfig. */
export class Cluster {
  readonly apps: AppsV1Api;
  readonly core: CoreV1Api;

  constructor(
    kubeconfigPath: string,
    readonly namespace: string,
  ) {
    const config = new KubeConfig();
    config.loadFromFile(kubeconfigPath);
    this.apps = config.makeApiClient(AppsV1Api);
    this.core = config.makeApiClient(CoreV1Api);
  }

  /** Every object of one server, found by its id in the name or the labels (volume claims are named after the pod). */
  async objectsOf(serverId: string): Promise<ServerObjects> {
    const namespace = this.namespace;
    const [statefulSets, services, secrets, volumeClaims, pods] = await Promise.all([
      this.apps.listNamespacedStatefulSet({ namespace }),
      this.core.listNamespacedService({ namespace }),
      this.core.listNamespacedSecret({ namespace }),
      this.core.listNamespacedPersistentVolumeClaim({ namespace }),
      this.core.listNamespacedPod({ namespace }),
    ]);
    const names = (list: { items: { metadata?: V1ObjectMeta }[] }) =>
      list.items
        .map((item) => item.metadata)
        .filter((meta) => meta && JSON.stringify([meta.name, meta.labels]).includes(serverId))
        .map((meta) => meta?.name ?? '');
    return {
      statefulSets: names(statefulSets),
      services: names(services),
      secrets: names(secrets),
      volumeClaims: names(volumeClaims),
      pods: names(pods),
    };
  }

  async isEmptyFor(serverId: string): Promise<boolean> {
    return Object.values(await this.objectsOf(serverId)).every((names) => names.length === 0);
  }

  /** The server's one StatefulSet. */
  async statefulSetOf(serverId: string) {
    const [name] = (await this.objectsOf(serverId)).statefulSets;
    if (!name) throw new Error(`no StatefulSet for ${serverId}`);
    return this.apps.readNamespacedStatefulSet({ name, namespace: this.namespace });
  }

  /** The uid of the server's running pod, if there is one. */
  async podUidOf(serverId: string): Promise<string | undefined> {
    const [name] = (await this.objectsOf(serverId)).pods;
    if (!name) return undefined;
    return (await this.core.readNamespacedPod({ name, namespace: this.namespace })).metadata?.uid;
  }
}
