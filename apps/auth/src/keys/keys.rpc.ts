import { Injectable } from '@nestjs/common';
import type { RpcResponse } from '@blockplane/contracts';
import { OnRpc } from '@blockplane/messaging';
import { SigningKeysService } from './signing-keys.service.js';

@Injectable()
export class KeysRpc {
  constructor(private readonly keys: SigningKeysService) {}

  @OnRpc('auth.jwks')
  async jwks(): Promise<RpcResponse<'auth.jwks'>> {
    return this.keys.jwks();
  }
}
