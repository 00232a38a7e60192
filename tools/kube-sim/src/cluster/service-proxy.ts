// kube-proxy for the simulator. Each Service gets a ClusterIP from 127.96.0.0/16 and,
// per port, a TCP listener there that forwards to a Ready endpoint pod; NodePort and
// LoadBalancer Services also listen on 127.0.0.1:<nodePort> (and the LoadBalancer on its
// own 127.200.x.y ingress IP). Listeners exist only while the Service has a Ready
// endpoint, so connections are refused otherwise, and an idle Service holds at most
// three sockets per port: 10,000 pods never cost a socket here (file-descriptor limit).
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { Store, StoreEvent } from '../api/store.js';
import type { KubeObject } from '../api/types.js';
import { IpPool } from './ip-pool.js';
import { asPod, isPodReady, type Pod } from './pod-types.js';
import { resolvePort } from './probes.js';
import { objectKey, PODS, SERVICES, sameRef } from './refs.js';
import { WorkQueue } from './work-queue.js';

interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  nodePort?: number;
  protocol?: string;
}

/** Where a pod's container port answers on the pod IP. */
export type HostPortOf = (pod: Pod, container: string, port: number) => number;

interface Service extends KubeObject {
  spec: {
    type?: string;
    clusterIP?: string;
    clusterIPs?: string[];
    selector?: Record<string, string>;
    ports?: ServicePort[];
  };
}

const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;

export class ServiceProxy {
  private readonly clusterIPs = new IpPool('127.96');
  private readonly ingressIPs = new IpPool('127.200');
  private readonly nodePorts = new Set<number>();
  private readonly listeners = new Map<string, Server[]>(); // by service key
  private readonly connections = new Set<Socket>();
  private readonly queue: WorkQueue;

  constructor(
    private readonly store: Store,
    private readonly hostPort: HostPortOf,
    onError: (key: string, error: unknown) => void,
  ) {
    this.queue = new WorkQueue((key) => this.sync(key), onError);
    for (const svc of store.list(SERVICES).items) this.queue.add(objectKey(svc.metadata.namespace, svc.metadata.name));
  }

  onEvent(ev: StoreEvent): void {
    if (sameRef(ev.ref, SERVICES)) {
      const svc = ev.object as Service;
      if (ev.type === 'DELETED') this.release(svc);
      this.queue.add(objectKey(svc.metadata.namespace, svc.metadata.name));
    } else if (sameRef(ev.ref, PODS)) {
      // Readiness or labels changed: re-check the Services of that namespace that select it.
      for (const obj of [ev.object, ev.previous]) {
        const labels = obj?.metadata.labels ?? {};
        for (const svc of this.store.listShared(SERVICES, { namespace: ev.object.metadata.namespace })
          .items as readonly Service[]) {
          if (selects(svc, labels)) this.queue.add(objectKey(svc.metadata.namespace, svc.metadata.name));
        }
      }
    }
  }

  async stop(): Promise<void> {
    this.queue.stop();
    for (const socket of this.connections) socket.destroy();
    await Promise.all([...this.listeners.keys()].map((key) => this.closeListeners(key)));
  }

  private sync(key: string): void {
    const [namespace, name] = key.split('/') as [string, string];
    const svc = this.store.get(SERVICES, namespace, name) as Service | undefined;
    if (!svc) {
      void this.closeListeners(key);
      return;
    }
    const assigned = this.assignAddresses(svc);
    const endpoints = this.readyEndpoints(assigned);
    const open = this.listeners.has(key);
    if (endpoints.length && !open) this.openListeners(key, assigned);
    else if (!endpoints.length && open) void this.closeListeners(key);
  }

  /** ClusterIP, nodePorts and the LoadBalancer ingress IP, allocated once and written back. */
  private assignAddresses(svc: Service): Service {
    const spec = svc.spec;
    const needsNodePort = spec.type === 'NodePort' || spec.type === 'LoadBalancer';
    const missingIP = !spec.clusterIP;
    const missingPorts = needsNodePort && (spec.ports ?? []).some((p) => !p.nodePort);
    let result = svc;
    if (missingIP || missingPorts) {
      result =
        (this.store.mutate(SERVICES, svc.metadata.namespace, svc.metadata.name ?? '', (obj) => {
          const s = (obj as Service).spec;
          if (!s.clusterIP) {
            s.clusterIP = this.clusterIPs.allocate();
            s.clusterIPs = [s.clusterIP];
          }
          if (needsNodePort) for (const p of s.ports ?? []) p.nodePort ??= this.allocateNodePort();
        }) as Service | undefined) ?? svc;
    }
    const status = result['status'] as { loadBalancer?: { ingress?: Array<{ ip: string }> } } | undefined;
    if (spec.type === 'LoadBalancer' && !status?.loadBalancer?.ingress?.length) {
      const ip = this.ingressIPs.allocate();
      result =
        (this.store.mutate(
          SERVICES,
          svc.metadata.namespace,
          svc.metadata.name ?? '',
          (obj) => {
            obj['status'] = { loadBalancer: { ingress: [{ ip, ipMode: 'VIP' }] } };
          },
          { subresource: 'status' },
        ) as Service | undefined) ?? result;
    }
    return result;
  }

  private allocateNodePort(): number {
    for (let port = NODE_PORT_MIN; port <= NODE_PORT_MAX; port++) {
      if (!this.nodePorts.has(port)) {
        this.nodePorts.add(port);
        return port;
      }
    }
    throw new Error('no free nodePort left');
  }

  private readyEndpoints(svc: Service): Pod[] {
    if (!svc.spec.selector || !Object.keys(svc.spec.selector).length) return [];
    return (this.store.listShared(PODS, { namespace: svc.metadata.namespace }).items as readonly KubeObject[])
      .map(asPod)
      .filter(
        (p) =>
          selects(svc, p.metadata.labels ?? {}) && isPodReady(p) && p.status?.podIP && !p.metadata.deletionTimestamp,
      );
  }

  private openListeners(key: string, svc: Service): void {
    const servers: Server[] = [];
    const ingress = (svc['status'] as { loadBalancer?: { ingress?: Array<{ ip: string }> } } | undefined)?.loadBalancer
      ?.ingress?.[0]?.ip;
    for (const port of svc.spec.ports ?? []) {
      if ((port.protocol ?? 'TCP') !== 'TCP') continue;
      const addresses: Array<[string, number]> = [];
      if (svc.spec.clusterIP && svc.spec.clusterIP !== 'None') addresses.push([svc.spec.clusterIP, port.port]);
      if (port.nodePort) addresses.push(['127.0.0.1', port.nodePort]);
      if (ingress) addresses.push([ingress, port.port]);
      for (const [host, listenPort] of addresses) {
        const server = createServer((client) => this.forward(key, port, client));
        server.on('error', () => server.close()); // e.g. a nodePort taken by another process
        server.listen(listenPort, host);
        servers.push(server);
      }
    }
    this.listeners.set(key, servers);
  }

  private closeListeners(key: string): Promise<void> {
    const servers = this.listeners.get(key) ?? [];
    this.listeners.delete(key);
    return Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))).then(() => {});
  }

  /** One connection, to a random Ready endpoint at the time it arrives. */
  private forward(key: string, port: ServicePort, client: Socket): void {
    const [namespace, name] = key.split('/') as [string, string];
    const svc = this.store.get(SERVICES, namespace, name) as Service | undefined;
    const endpoints = svc ? this.readyEndpoints(svc) : [];
    const pod = endpoints[Math.floor(Math.random() * endpoints.length)];
    const container =
      pod?.spec.containers.find((c) => c.ports?.some((p) => p.name === port.targetPort)) ?? pod?.spec.containers[0];
    if (!pod || !container) {
      client.destroy();
      return;
    }
    const target = this.hostPort(pod, container.name, resolvePort(container, port.targetPort ?? port.port));
    const upstream = connect({ host: pod.status?.podIP ?? '', port: target });
    for (const socket of [client, upstream]) {
      this.connections.add(socket);
      socket.once('close', () => this.connections.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  }

  private release(svc: Service): void {
    if (svc.spec.clusterIP) this.clusterIPs.release(svc.spec.clusterIP);
    for (const p of svc.spec.ports ?? []) if (p.nodePort) this.nodePorts.delete(p.nodePort);
    const ingress = (svc['status'] as { loadBalancer?: { ingress?: Array<{ ip: string }> } } | undefined)?.loadBalancer
      ?.ingress?.[0]?.ip;
    if (ingress) this.ingressIPs.release(ingress);
  }
}

function selects(svc: Service, labels: Record<string, string>): boolean {
  const selector = svc.spec.selector;
  return !!selector && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
}
