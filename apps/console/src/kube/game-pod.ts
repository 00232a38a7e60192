import type { V1Container, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { SERVER_ID_LABEL } from '@blockplane/contracts';

// What the console reads of the provisioner's pods: it finds a server's pod by its labels (contracts) and
// reads the game container's state, address, RCON port and password reference. It never writes them.
const DEFAULT_RCON_PORT = 25575;

export function serverIdOf(pod: V1Pod): string | undefined {
  return pod.metadata?.labels?.[SERVER_ID_LABEL];
}

/** The game container (the pod's first) as the kubelet last reported it. */
export interface GameContainer {
  name: string;
  /** The current (or last) run; undefined until the runtime created one. */
  id: string | undefined;
  /** The run before it, once that one ended: what `previous=true` reads. */
  previousId: string | undefined;
  restartCount: number;
  running: boolean;
}

export function gameContainer(pod: V1Pod): GameContainer | undefined {
  const spec = pod.spec?.containers[0];
  if (!spec) return undefined;
  const status = statusOf(pod, spec);
  return {
    name: spec.name,
    id: status?.containerID || status?.state?.terminated?.containerID || undefined,
    previousId: status?.lastState?.terminated?.containerID || undefined,
    restartCount: status?.restartCount ?? 0,
    running: status?.state?.running !== undefined,
  };
}

/** Where the server's RCON answers and where its password is kept. */
export interface RconEndpoint {
  host: string;
  port: number;
  password: { value: string } | { secret: string; key: string } | undefined;
}

export function rconEndpoint(pod: V1Pod, portOverride?: number): RconEndpoint | undefined {
  const spec = pod.spec?.containers[0];
  const host = pod.status?.podIP;
  if (!spec || !host) return undefined;
  const env = (name: string) => spec.env?.find((e) => e.name === name);
  const declared = spec.ports?.find((p) => p.name === 'rcon')?.containerPort ?? Number(env('RCON_PORT')?.value);
  const password = env('RCON_PASSWORD');
  const ref = password?.valueFrom?.secretKeyRef;
  return {
    host,
    port: portOverride ?? (Number.isInteger(declared) && declared > 0 ? declared : DEFAULT_RCON_PORT),
    password: ref?.name ? { secret: ref.name, key: ref.key } : password?.value ? { value: password.value } : undefined,
  };
}

function statusOf(pod: V1Pod, spec: V1Container): V1ContainerStatus | undefined {
  return pod.status?.containerStatuses?.find((s) => s.name === spec.name);
}
