import { Injectable } from '@nestjs/common';
import {
  DomainError,
  PLATFORM_VERSION,
  type PingedService,
  type PingResponse,
  serviceNames,
} from '@blockplane/contracts';
import { RpcClient } from '@blockplane/messaging';

export type ServiceStatus =
  | ({ name: string; up: true; latencyMs: number } & Omit<PingResponse, 'service'>)
  | { name: string; up: false; error: string };

export interface PlatformStatus {
  version: string;
  services: ServiceStatus[];
}

const PING_TIMEOUT_MS = 2_000;

/** Asks every service for a ping over NATS: the platform's status page, and a check that the hop works. */
@Injectable()
export class StatusService {
  constructor(private readonly rpc: RpcClient) {}

  async platformStatus(): Promise<PlatformStatus> {
    const pinged = serviceNames.filter((name): name is PingedService => name !== 'gateway');
    const services = await Promise.all(pinged.map((name) => this.ping(name)));
    return { version: PLATFORM_VERSION, services };
  }

  private async ping(name: PingedService): Promise<ServiceStatus> {
    const started = performance.now();
    try {
      const { service: _, ...answer } = await this.rpc.request(`${name}.ping`, {}, PING_TIMEOUT_MS);
      return { name, up: true, latencyMs: Math.round(performance.now() - started), ...answer };
    } catch (error) {
      return { name, up: false, error: error instanceof DomainError ? error.message : 'unknown error' };
    }
  }
}
