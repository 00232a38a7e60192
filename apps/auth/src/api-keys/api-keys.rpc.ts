import { Injectable } from '@nestjs/common';
import type { Actor, ApiKey, CreatedApiKey, RpcPayload } from '@blockplane/contracts';
import { OnRpc } from '@blockplane/messaging';
import { ApiKeysService } from './api-keys.service.js';

@Injectable()
export class ApiKeysRpc {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @OnRpc('auth.api-keys.create')
  async create({ actor, ...request }: RpcPayload<'auth.api-keys.create'>): Promise<CreatedApiKey> {
    return this.apiKeys.create(actor, request);
  }

  @OnRpc('auth.api-keys.list')
  async list({ actor }: RpcPayload<'auth.api-keys.list'>): Promise<ApiKey[]> {
    return this.apiKeys.list(actor);
  }

  @OnRpc('auth.api-keys.revoke')
  async revoke({ actor, keyId }: RpcPayload<'auth.api-keys.revoke'>): Promise<Record<string, never>> {
    await this.apiKeys.revoke(actor, keyId);
    return {};
  }

  @OnRpc('auth.verify-api-key')
  async verify(request: RpcPayload<'auth.verify-api-key'>): Promise<Actor> {
    return this.apiKeys.verify(request);
  }
}
