import { Injectable } from '@nestjs/common';
import type { RpcPayload } from '@blockplane/contracts';
import { OnRpc } from '@blockplane/messaging';
import { PasswordResetService } from './password-reset.service.js';

@Injectable()
export class PasswordResetRpc {
  constructor(private readonly passwordReset: PasswordResetService) {}

  @OnRpc('auth.password-reset.request')
  async request(request: RpcPayload<'auth.password-reset.request'>): Promise<Record<string, never>> {
    await this.passwordReset.request(request);
    return {};
  }

  @OnRpc('auth.password-reset.confirm')
  async confirm(request: RpcPayload<'auth.password-reset.confirm'>): Promise<Record<string, never>> {
    await this.passwordReset.confirm(request);
    return {};
  }
}
