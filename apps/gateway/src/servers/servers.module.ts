import { Module } from '@nestjs/common';
import { ServersController } from './servers.controller.js';
import { ServersGatewayService } from './servers-gateway.service.js';
import { SubusersController } from './subusers.controller.js';
import { SubusersGatewayService } from './subusers-gateway.service.js';

/** The catalogue, the dashboard, every server command, sub-users and a server's activity: routes to the servers service. */
@Module({
  controllers: [ServersController, SubusersController],
  providers: [ServersGatewayService, SubusersGatewayService],
})
export class ServersModule {}
