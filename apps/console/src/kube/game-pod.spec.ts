import { describe, expect, it } from '@jest/globals';
import type { V1ContainerState, V1Pod } from '@kubernetes/client-node';
import { gameContainer, rconEndpoint } from './game-pod.js';

function pod(state: V1ContainerState): V1Pod {
  return {
    metadata: {
      name: 'mc-1-0',
      uid: 'u1',
      labels: { 'blockplane.dev/server-id': '1' },
    },
    spec: {
      containers: [
        {
          name: 'minecraft',
          image: 'itzg/minecraft-server',
          ports: [{ name: 'rcon', containerPort: 25575 }],
          env: [{ name: 'RCON_PASSWORD', valueFrom: { secretKeyRef: { name: 'mc-1', key: 'rcon-password' } } }],
        },
      ],
    },
    status: {
      phase: 'Running',
      podIP: '10.0.0.7',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [
        {
          name: 'minecraft',
          image: 'itzg/minecraft-server',
          imageID: '',
          ready: true,
          restartCount: 2,
          containerID: 'containerd://b',
          state,
          lastState: { terminated: { exitCode: 137, containerID: 'containerd://a' } },
        },
      ],
    },
  };
}

describe('game pods as the console reads them', () => {
  it('names the container run and the one before it', () => {
    expect(gameContainer(pod({ running: {} }))).toEqual({
      name: 'minecraft',
      id: 'containerd://b',
      previousId: 'containerd://a',
      restartCount: 2,
      running: true,
    });
  });

  it('finds RCON at the pod IP on the port named rcon, or where a simulator moved it', () => {
    expect(rconEndpoint(pod({ running: {} }))).toEqual({
      host: '10.0.0.7',
      port: 25575,
      password: { secret: 'mc-1', key: 'rcon-password' },
    });
    expect(rconEndpoint(pod({ running: {} }), 40123)?.port).toBe(40123);
  });
});
