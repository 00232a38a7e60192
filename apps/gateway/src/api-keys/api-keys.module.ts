import { Module } from '@nestjs/common';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysGatewayService } from './api-keys-gateway.service.js';

/** The caller's API keys: routes to auth. */
@Module({ controllers: [ApiKeysController], providers: [ApiKeysGatewayService] })
export class ApiKeysModule {}
