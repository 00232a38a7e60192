import { Module } from '@nestjs/common';
import { AdminController } from './admin.controller.js';
import { AdminGatewayService } from './admin-gateway.service.js';

/** The admin API (users, suspension, quotas, every server, the whole activity log): admins with an access token only. */
@Module({ controllers: [AdminController], providers: [AdminGatewayService] })
export class AdminModule {}
