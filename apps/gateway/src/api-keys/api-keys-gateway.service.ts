import { Injectable } from '@nestjs/common';
import type { Actor, ApiKey, CreateApiKeyRequest, CreatedApiKey } from '@blockplane/contracts';
import { RpcClient } from '@blockplane/messaging';

/** The caller's own API keys, kept by auth. */
@Injectable()
export class ApiKeysGatewayService {
  constructor(private readonly rpc: RpcClient) {}

  list(actor: Actor): Promise<ApiKey[]> {
    return this.rpc.request('auth.api-keys.list', { actor });
  }

  create(actor: Actor, body: CreateApiKeyRequest): Promise<CreatedApiKey> {
    return this.rpc.request('auth.api-keys.create', { actor, ...body });
  }

  async revoke(actor: Actor, keyId: string): Promise<void> {
    await this.rpc.request('auth.api-keys.revoke', { actor, keyId });
  }
}
