import { type DynamicModule, Module } from '@nestjs/common';
import type { GatewayConfig } from '../gateway.section.js';
import { GATEWAY_CONFIG, TrustProxySetting } from './trust-proxy.setting.js';

/** How the gateway's Express app treats the network in front of it. */
@Module({})
export class HttpSettingsModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: HttpSettingsModule,
      providers: [{ provide: GATEWAY_CONFIG, useValue: config }, TrustProxySetting],
    };
  }
}
