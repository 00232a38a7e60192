import { Controller, Get } from '@nestjs/common';
import type { ApiCatalogue } from '@blockplane/contracts';
import { Public } from '@blockplane/service';
import { RouteCatalogue } from './route-catalogue.js';

/**
 * The API describing itself: every route and console socket event with the rule it declares and the
 * activity it records, from the running app's own enumeration (the authorization matrix test reads it).
 * Public: access rules are no secret, the README documents them anyway, and knowing them grants nothing.
 */
@Controller('api/v1')
export class RoutesController {
  constructor(private readonly catalogue: RouteCatalogue) {}

  @Public()
  @Get('routes')
  list(): ApiCatalogue {
    return {
      routes: this.catalogue.routes.map(({ method, path, rule, activity }) => ({ method, path, rule, activity })),
      socketEvents: this.catalogue.socketEvents.map(({ event, rule, activity }) => ({ event, rule, activity })),
    };
  }
}
