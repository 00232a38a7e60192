import { Global, Module } from '@nestjs/common';
import { APP_GUARD, APP_INTERCEPTOR, DiscoveryModule } from '@nestjs/core';
import { ActivityInterceptor } from '../activity/activity.interceptor.js';
import { ActivityRecorder } from '../activity/activity.recorder.js';
import { AccessGuard } from './access.guard.js';
import { PermissionsController } from './permissions.controller.js';
import { RouteCatalogue } from './route-catalogue.js';
import { RoutesController } from './routes.controller.js';
import { RuleCheck } from './rule-check.js';

/**
 * Authorization for every route and socket event: the one rule check (the guard for routes), the bootstrap
 * check of every handler's declaration (the route catalogue), and the activity log of every state change.
 */
@Global()
@Module({
  imports: [DiscoveryModule],
  controllers: [PermissionsController, RoutesController],
  providers: [
    RouteCatalogue,
    RuleCheck,
    ActivityRecorder,
    { provide: APP_GUARD, useClass: AccessGuard },
    { provide: APP_INTERCEPTOR, useClass: ActivityInterceptor },
  ],
  // Global: the console socket checks the same rules and records activity the same way.
  exports: [RouteCatalogue, RuleCheck, ActivityRecorder],
})
export class AccessModule {}
