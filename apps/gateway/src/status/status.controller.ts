import { Controller, Get } from '@nestjs/common';
import { Public } from '@blockplane/service';
import { type PlatformStatus, StatusService } from './status.service.js';

@Public()
@Controller('api/v1/status')
export class StatusController {
  constructor(private readonly status: StatusService) {}

  @Get()
  get(): Promise<PlatformStatus> {
    return this.status.platformStatus();
  }
}
