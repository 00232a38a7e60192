import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { ApiException, AppsV1Api, CoreV1Api, KubeConfig, VersionApi } from '@kubernetes/client-node';
import { Readiness } from '@blockplane/observability';
import { PROVISIONER_CONFIG, type ProvisionerConfig } from '../provisioner.config.js';
import { ProvisionerMetrics } from '../provisioner.metrics.js';
import { backoffMs, isRetryable } from './retry.util.js';
import { TokenBucket } from './token-bucket.js';

export type KubeVerb = 'get' | 'list' | 'create' | 'apply' | 'patch' | 'delete';

const MAX_ATTEMPTS = 6;

/**
 * The only way into the Kubernetes API: every call takes a token from the client-side rate limit,
 * is counted by verb and code, and is retried with back-off on 409, 429 and 5xx.
 */
@Injectable()
export class KubeClient implements OnModuleInit {
  readonly kubeConfig = new KubeConfig();
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  private readonly bucket: TokenBucket;

  constructor(
    @Inject(PROVISIONER_CONFIG) config: ProvisionerConfig,
    private readonly metrics: ProvisionerMetrics,
    private readonly readiness: Readiness,
  ) {
    if (config.kubeconfig) this.kubeConfig.loadFromFile(config.kubeconfig);
    else this.kubeConfig.loadFromCluster();
    this.core = this.kubeConfig.makeApiClient(CoreV1Api);
    this.apps = this.kubeConfig.makeApiClient(AppsV1Api);
    this.bucket = new TokenBucket(config.qps, config.burst);
  }

  onModuleInit(): void {
    const version = this.kubeConfig.makeApiClient(VersionApi);
    this.readiness.register('kubernetes', async () => {
      await version.getCode();
    });
  }

  async call<T>(verb: KubeVerb, request: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      await this.bucket.take();
      try {
        const result = await request();
        this.metrics.kubeCalls.inc({ verb, code: verb === 'create' ? 201 : 200 });
        return result;
      } catch (error) {
        const status = statusOf(error);
        this.metrics.kubeCalls.inc({ verb, code: status ?? 0 });
        if (!isRetryable(status) || attempt + 1 >= MAX_ATTEMPTS) throw error;
        const retryAfter = error instanceof ApiException ? headerOf(error, 'retry-after') : undefined;
        await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt, retryAfter)));
      }
    }
  }

  /** A read that answers undefined for 404. */
  async find<T>(request: () => Promise<T>): Promise<T | undefined> {
    try {
      return await this.call('get', request);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** A delete that is done when the object is already gone. */
  async remove(request: () => Promise<unknown>): Promise<void> {
    try {
      await this.call('delete', request);
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
  }
}

export function statusOf(error: unknown): number | undefined {
  return error instanceof ApiException ? error.code : undefined;
}

function headerOf(error: ApiException<unknown>, name: string): string | undefined {
  const entry = Object.entries(error.headers).find(([key]) => key.toLowerCase() === name);
  return entry?.[1];
}
