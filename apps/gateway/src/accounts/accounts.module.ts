import { Module } from '@nestjs/common';
import { AccountsController } from './accounts.controller.js';
import { AccountsGatewayService } from './accounts-gateway.service.js';

/** Sign-up, sessions, the caller's account and quotas: routes to auth. */
@Module({ controllers: [AccountsController], providers: [AccountsGatewayService] })
export class AccountsModule {}
