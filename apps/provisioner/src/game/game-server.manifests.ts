import { createHash } from 'node:crypto';
import type { V1Secret, V1Service, V1StatefulSet } from '@kubernetes/client-node';
import { objectName, SERVER_ID_LABEL, type ServerSpec } from '@blockplane/contracts';
import type { TraceCarrier } from '@blockplane/observability';

const GAME_PORT = 25565;
const RCON_PORT = 25575;
export const FIELD_MANAGER = 'blockplane-provisioner';
const DISPLAY_NAME = 'blockplane.dev/display-name';
const SPEC_HASH = 'blockplane.dev/spec-hash';
/** The W3C trace context of the last request that changed the server's pod (see status/status-trace.ts). */
const TRACEPARENT = 'blockplane.dev/traceparent';
const TRACESTATE = 'blockplane.dev/tracestate';
const RCON_KEY = 'rcon-password';

export function labelsFor(serverId: string): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'minecraft',
    'app.kubernetes.io/instance': objectName(serverId),
    'app.kubernetes.io/component': 'game-server',
    'app.kubernetes.io/part-of': 'blockplane',
    'app.kubernetes.io/managed-by': 'blockplane',
    [SERVER_ID_LABEL]: serverId,
  };
}

/** The JVM heap leaves a quarter of the container's memory to the JVM itself and the OS. */
export function heapFor(memoryMb: number): string {
  return `${Math.floor(memoryMb * 0.75)}M`;
}

export function cpuQuantity(cores: number): string {
  return Number.isInteger(cores) ? String(cores) : `${Math.round(cores * 1000)}m`;
}

export interface OwnerRef {
  uid: string;
}

function metadata(spec: ServerSpec, namespace: string, owner?: OwnerRef) {
  const name = objectName(spec.serverId);
  return {
    name,
    namespace,
    labels: labelsFor(spec.serverId),
    annotations: { [DISPLAY_NAME]: spec.name },
    ...(owner
      ? {
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'StatefulSet',
              name,
              uid: owner.uid,
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        }
      : {}),
  };
}

export function secretManifest(spec: ServerSpec, namespace: string, password: string): V1Secret {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: metadata(spec, namespace),
    type: 'Opaque',
    stringData: { [RCON_KEY]: password },
  };
}

export function ownerReferencesFor(spec: ServerSpec, owner: OwnerRef): V1Secret['metadata'] {
  return { ownerReferences: metadata(spec, '', owner).ownerReferences };
}

export function statefulSetManifest(
  spec: ServerSpec,
  namespace: string,
  image: string,
  replicas: number,
  trace: TraceCarrier = {},
): V1StatefulSet {
  const name = objectName(spec.serverId);
  const labels = labelsFor(spec.serverId);
  const { cpuCores, memoryMb, diskGb } = spec.resources;
  const limits = { cpu: cpuQuantity(cpuCores), memory: `${memoryMb}Mi` };
  const template = {
    metadata: { labels, annotations: { [DISPLAY_NAME]: spec.name } },
    spec: {
      terminationGracePeriodSeconds: 60,
      containers: [
        {
          name: 'minecraft',
          image,
          env: [
            { name: 'EULA', value: 'TRUE' },
            { name: 'TYPE', value: spec.type.toUpperCase() },
            { name: 'VERSION', value: spec.version },
            { name: 'MEMORY', value: heapFor(memoryMb) },
            { name: 'ENABLE_RCON', value: 'true' },
            { name: 'RCON_PASSWORD', valueFrom: { secretKeyRef: { name, key: RCON_KEY } } },
          ],
          ports: [
            { name: 'minecraft', containerPort: GAME_PORT, protocol: 'TCP' },
            { name: 'rcon', containerPort: RCON_PORT, protocol: 'TCP' },
          ],
          resources: { requests: limits, limits },
          // Ready only when the game itself answers on its port, not when the JVM has merely started.
          readinessProbe: { tcpSocket: { port: GAME_PORT }, periodSeconds: 5, failureThreshold: 3 },
          volumeMounts: [{ name: 'data', mountPath: '/data' }],
        },
      ],
    },
  };
  const podSpec = {
    serviceName: name,
    selector: { matchLabels: { 'app.kubernetes.io/instance': name, [SERVER_ID_LABEL]: spec.serverId } },
    template,
    volumeClaimTemplates: [
      {
        metadata: { name: 'data', labels },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: `${diskGb}Gi` } } },
      },
    ],
  };
  const meta = metadata(spec, namespace);
  // On the StatefulSet only: an annotation on the pod template would restart the pod.
  const annotations = { ...meta.annotations, [SPEC_HASH]: hashOf(podSpec), ...traceAnnotations(trace) };
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { ...meta, annotations },
    spec: { replicas, ...podSpec },
  };
}

export interface Exposure {
  type: string;
  port: number;
}

export function serviceManifest(spec: ServerSpec, namespace: string, exposure: Exposure, owner: OwnerRef): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: metadata(spec, namespace, owner),
    spec: {
      type: exposure.type,
      selector: { 'app.kubernetes.io/instance': objectName(spec.serverId), [SERVER_ID_LABEL]: spec.serverId },
      ports: [{ name: 'minecraft', port: exposure.port, targetPort: 'minecraft', protocol: 'TCP' }],
    },
  };
}

function traceAnnotations({ traceparent, tracestate }: TraceCarrier): Record<string, string> {
  return {
    ...(traceparent ? { [TRACEPARENT]: traceparent } : {}),
    ...(traceparent && tracestate ? { [TRACESTATE]: tracestate } : {}),
  };
}

/** A merge patch that records `trace` on a StatefulSet, dropping the tracestate of an earlier one. */
export function tracePatch({ traceparent, tracestate }: TraceCarrier) {
  return { metadata: { annotations: { [TRACEPARENT]: traceparent ?? null, [TRACESTATE]: tracestate ?? null } } };
}

/** The trace context recorded on a StatefulSet, as W3C headers (empty when none). */
export function traceOf(statefulSet: V1StatefulSet | undefined): TraceCarrier {
  const annotations = statefulSet?.metadata?.annotations ?? {};
  const { [TRACEPARENT]: traceparent, [TRACESTATE]: tracestate } = annotations;
  return { ...(traceparent ? { traceparent } : {}), ...(traceparent && tracestate ? { tracestate } : {}) };
}

/** Whether the StatefulSet in the cluster already runs what `wanted` describes (replicas aside). */
export function sameSpec(actual: V1StatefulSet, wanted: V1StatefulSet): boolean {
  return actual.metadata?.annotations?.[SPEC_HASH] === wanted.metadata?.annotations?.[SPEC_HASH];
}

function hashOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}
