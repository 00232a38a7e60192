import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  type Actor,
  type ApiKey,
  type CreateApiKeyRequest,
  createApiKeyRequestSchema,
  type CreatedApiKey,
} from '@blockplane/contracts';
import { SignedIn } from '../access/access-rule.js';
import { RecordActivity } from '../activity/record-activity.decorator.js';
import { CurrentActor } from '../authentication/current-actor.decorator.js';
import { UuidParamPipe } from '../http/uuid-param.pipe.js';
import { ZodBodyPipe } from '../http/zod-body.pipe.js';
import { ApiKeysGatewayService } from './api-keys-gateway.service.js';

/** A key cannot manage keys: it could otherwise mint itself a wider one. */
@Controller('api/v1/me/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysGatewayService) {}

  @SignedIn({ apiKeys: false })
  @Get()
  list(@CurrentActor() actor: Actor): Promise<ApiKey[]> {
    return this.keys.list(actor);
  }

  /** 201 with the secret, shown this once; the activity log gets the key's description, never its secret. */
  @SignedIn({ apiKeys: false })
  @RecordActivity<CreatedApiKey>('apikey.create', ({ answer: { apiKey } }) => ({
    details: {
      keyId: apiKey.id,
      name: apiKey.name,
      permissions: apiKey.permissions,
      allowedIps: apiKey.allowedIps,
      expiresAt: apiKey.expiresAt,
    },
  }))
  @Post()
  create(
    @CurrentActor() actor: Actor,
    @Body(new ZodBodyPipe(createApiKeyRequestSchema)) body: CreateApiKeyRequest,
  ): Promise<CreatedApiKey> {
    return this.keys.create(actor, body);
  }

  @SignedIn({ apiKeys: false })
  @RecordActivity('apikey.revoke', ({ params }) => ({ details: { keyId: params['id'] } }))
  @Delete(':id')
  @HttpCode(204)
  revoke(@CurrentActor() actor: Actor, @Param('id', new UuidParamPipe('API key')) id: string): Promise<void> {
    return this.keys.revoke(actor, id);
  }
}
