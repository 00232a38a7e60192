import { Module } from '@nestjs/common';
import { ServersController } from './servers.controller.js';
import { ServersGatewayService } from './servers-gateway.service.js';

/** The catalogue, the dashboard and every server command: routes to the servers service. */
@Module({ controllers: [ServersController], providers: [ServersGatewayService] })
export class ServersModule {}
