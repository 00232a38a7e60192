import { Inject, Injectable } from '@nestjs/common';
import type { FileHost } from '@blockplane/contracts';
import { RpcClient } from '@blockplane/messaging';
import { LOGGER, type Logger } from '@blockplane/observability';

/** A helper pod may have to be scheduled and started first (an image pull on a real cluster). */
const ACQUIRE_TIMEOUT_MS = 120_000;

/** Where a server's files are reached, from the provisioner (the only one that creates pods). */
@Injectable()
export class FileHosts {
  constructor(
    private readonly rpc: RpcClient,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Runs `work` on the server's file host; a helper pod's lease is renewed while it runs. */
  async using<T>(serverId: string, work: (host: FileHost) => Promise<T>): Promise<T> {
    const host = await this.rpc.request('provisioner.file-host.acquire', { serverId }, ACQUIRE_TIMEOUT_MS);
    if (host.kind === 'game') return work(host);
    const renew = setInterval(() => {
      this.rpc
        .request('provisioner.file-host.acquire', { serverId }, ACQUIRE_TIMEOUT_MS)
        .catch((error: unknown) => this.logger.warn({ err: error, serverId }, 'renewing the file host lease failed'));
    }, host.leaseMs / 3);
    try {
      return await work(host);
    } finally {
      clearInterval(renew);
    }
  }
}
