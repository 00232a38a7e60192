// The one simulated node: its Node object, capacity and the labels pods may select on.
import type { Store } from '../api/store.js';
import type { KubeObject } from '../api/types.js';
import { timestamp } from '../api/object-utils.js';
import { parseQuantity } from '../api/quantity.js';
import { NODES } from './refs.js';

export interface NodeCapacity {
  cpu: string;
  memory: string;
  pods: number;
}

export const NODE_NAME = 'kube-sim';
export const NODE_IP = '127.0.0.1';
export const KUBELET_VERSION = 'v1.32.4';

export function nodeLabels(): Record<string, string> {
  return {
    'kubernetes.io/hostname': NODE_NAME,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': process.arch === 'arm64' ? 'arm64' : 'amd64',
    'node-role.kubernetes.io/control-plane': '',
  };
}

/** Capacity as numbers: cpu in millicores, memory in bytes. */
export function capacityNumbers(capacity: NodeCapacity): { cpu: number; memory: number; pods: number } {
  return {
    cpu: Math.round((parseQuantity(capacity.cpu) ?? 0) * 1000),
    memory: parseQuantity(capacity.memory) ?? 0,
    pods: capacity.pods,
  };
}

export function ensureNode(store: Store, capacity: NodeCapacity): void {
  const resources = {
    cpu: capacity.cpu,
    memory: capacity.memory,
    pods: String(capacity.pods),
    'ephemeral-storage': '100Gi',
  };
  const existing = store.get(NODES, undefined, NODE_NAME);
  if (existing) {
    store.mutate(
      NODES,
      undefined,
      NODE_NAME,
      (node) => {
        node['status'] = { ...(node['status'] as object), capacity: resources, allocatable: resources };
      },
      { subresource: 'status' },
    );
    return;
  }
  const now = timestamp();
  const node: KubeObject = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: NODE_NAME, labels: nodeLabels() },
    spec: {},
  };
  store.create(NODES, node);
  store.mutate(
    NODES,
    undefined,
    NODE_NAME,
    (obj) => {
      obj['status'] = {
        capacity: resources,
        allocatable: resources,
        conditions: [
          {
            type: 'MemoryPressure',
            status: 'False',
            reason: 'KubeletHasSufficientMemory',
            message: 'kubelet has sufficient memory available',
          },
          {
            type: 'DiskPressure',
            status: 'False',
            reason: 'KubeletHasNoDiskPressure',
            message: 'kubelet has no disk pressure',
          },
          {
            type: 'PIDPressure',
            status: 'False',
            reason: 'KubeletHasSufficientPID',
            message: 'kubelet has sufficient PID available',
          },
          { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
        ].map((c) => ({ ...c, lastHeartbeatTime: now, lastTransitionTime: now })),
        addresses: [
          { type: 'InternalIP', address: NODE_IP },
          { type: 'Hostname', address: NODE_NAME },
        ],
        daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
        nodeInfo: {
          architecture: nodeLabels()['kubernetes.io/arch'],
          operatingSystem: 'linux',
          osImage: 'kube-sim',
          kernelVersion: process.version,
          containerRuntimeVersion: 'containerd://2.0.0-kube-sim',
          kubeletVersion: KUBELET_VERSION,
          kubeProxyVersion: KUBELET_VERSION,
          machineID: '',
          systemUUID: '',
          bootID: '',
        },
      };
    },
    { subresource: 'status' },
  );
}
