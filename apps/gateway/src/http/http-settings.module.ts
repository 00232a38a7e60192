import { type DynamicModule, Module } from '@nestjs/common';
import type { GatewayConfig } from '../gateway.section.js';
import { OriginPolicy } from './origin-policy.js';
import { GATEWAY_CONFIG, TrustProxySetting } from './trust-proxy.setting.js';

/** How the gateway's Express app treats the network in front of it, and which browser origins it trusts. */
@Module({})
export class HttpSettingsModule {
  static forRoot(config: GatewayConfig): DynamicModule {
    return {
      module: HttpSettingsModule,
      global: true,
      providers: [
        { provide: GATEWAY_CONFIG, useValue: config },
        { provide: OriginPolicy, useValue: new OriginPolicy(config.corsOrigins) },
        TrustProxySetting,
      ],
      exports: [OriginPolicy],
    };
  }
}
