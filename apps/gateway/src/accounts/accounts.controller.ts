import { Body, Controller, Get, HttpCode, Param, Post, Put, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  type Actor,
  type LoginRequest,
  loginRequestSchema,
  type Quota,
  quotaSchema,
  type RefreshRequest,
  refreshRequestSchema,
  type RegisterRequest,
  registerRequestSchema,
  type User,
} from '@blockplane/contracts';
import { Public } from '@blockplane/service';
import { CurrentActor } from '../authentication/current-actor.decorator.js';
import { UuidParamPipe } from '../http/uuid-param.pipe.js';
import { ZodBodyPipe } from '../http/zod-body.pipe.js';
import { AccountsGatewayService } from './accounts-gateway.service.js';
import type { SessionAnswer } from './refresh-cookie.js';

@Controller('api/v1')
export class AccountsController {
  constructor(private readonly accounts: AccountsGatewayService) {}

  @Public()
  @Post('auth/register')
  register(@Body(new ZodBodyPipe(registerRequestSchema)) body: RegisterRequest): Promise<User> {
    return this.accounts.register(body);
  }

  @Public()
  @Post('auth/login')
  @HttpCode(200)
  login(
    @Body(new ZodBodyPipe(loginRequestSchema)) body: LoginRequest,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SessionAnswer> {
    return this.accounts.login(body, req, res);
  }

  @Public()
  @Post('auth/refresh')
  @HttpCode(200)
  refresh(
    @Body(new ZodBodyPipe(refreshRequestSchema)) body: RefreshRequest,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SessionAnswer> {
    return this.accounts.refresh(body, req, res);
  }

  @Public()
  @Post('auth/logout')
  @HttpCode(204)
  logout(
    @Body(new ZodBodyPipe(refreshRequestSchema)) body: RefreshRequest,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<void> {
    return this.accounts.logout(body, req, res);
  }

  @Get('me')
  me(@CurrentActor() actor: Actor): Promise<User> {
    return this.accounts.me(actor);
  }

  /** Auth decides who may: only admins (issue 5 builds the rest of the admin API). */
  @Put('admin/users/:id/quota')
  setQuota(
    @CurrentActor() actor: Actor,
    @Param('id', new UuidParamPipe('user')) userId: string,
    @Body(new ZodBodyPipe(quotaSchema)) quota: Quota,
  ): Promise<User> {
    return this.accounts.setQuota(actor, userId, quota);
  }
}
