import { Injectable } from '@nestjs/common';
import type { Plan, ServerTypeInfo } from '@blockplane/contracts';
import { OnRpc } from '@blockplane/messaging';
import { CatalogueService } from './catalogue.service.js';

@Injectable()
export class CatalogueRpc {
  constructor(private readonly catalogue: CatalogueService) {}

  @OnRpc('servers.plans')
  async plans(): Promise<Plan[]> {
    return this.catalogue.plans();
  }

  @OnRpc('servers.types')
  async types(): Promise<ServerTypeInfo[]> {
    return this.catalogue.types();
  }
}
