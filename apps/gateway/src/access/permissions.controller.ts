import { Controller, Get } from '@nestjs/common';
import { type PermissionInfo, permissionCatalogue, permissions } from '@blockplane/contracts';
import { SignedIn } from './access-rule.js';

const catalogue: PermissionInfo[] = permissions.map((key) => ({ key, description: permissionCatalogue[key] }));

/** What a sub-user or an API key can be granted, for the panel's permission pickers. */
@Controller('api/v1')
export class PermissionsController {
  @SignedIn()
  @Get('permissions')
  list(): PermissionInfo[] {
    return catalogue;
  }
}
