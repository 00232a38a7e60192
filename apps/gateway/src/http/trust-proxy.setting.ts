import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Application } from 'express';
import type { GatewayConfig } from '../gateway.section.js';

export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');

/** `req.ip` is the caller's address only when Express knows which proxies to believe. */
@Injectable()
export class TrustProxySetting implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  onModuleInit(): void {
    this.adapterHost.httpAdapter.getInstance<Application>().set('trust proxy', this.config.trustProxy);
  }
}
