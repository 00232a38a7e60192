import { Body, Controller, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  type Actor,
  type LoginRequest,
  loginRequestSchema,
  passwordResetConfirmSchema,
  passwordResetRequestSchema,
  type RefreshRequest,
  refreshRequestSchema,
  type RegisterRequest,
  registerRequestSchema,
  type RegistrationAccepted,
  type User,
} from '@blockplane/contracts';
import { Public } from '@blockplane/service';
import { SignedIn } from '../access/access-rule.js';
import { CurrentActor } from '../authentication/current-actor.decorator.js';
import { ZodBodyPipe } from '../http/zod-body.pipe.js';
import {
  AccountsGatewayService,
  type PasswordResetConfirm,
  type PasswordResetRequest,
} from './accounts-gateway.service.js';
import type { SessionAnswer } from './refresh-cookie.js';

/** Sessions and password resets are public and not in the activity log (there is no actor yet); auth rate-limits them. */
@Controller('api/v1')
export class AccountsController {
  constructor(private readonly accounts: AccountsGatewayService) {}

  /** The same 202 whether or not the email already had an account: registration reveals no accounts. */
  @Public()
  @Post('auth/register')
  @HttpCode(202)
  register(
    @Body(new ZodBodyPipe(registerRequestSchema)) body: RegisterRequest,
    @Req() req: Request,
  ): Promise<RegistrationAccepted> {
    return this.accounts.register(body, req);
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

  /** 202 whether or not the email has an account. */
  @Public()
  @Post('auth/password-reset')
  @HttpCode(202)
  requestPasswordReset(
    @Body(new ZodBodyPipe(passwordResetRequestSchema)) body: PasswordResetRequest,
    @Req() req: Request,
  ): Promise<void> {
    return this.accounts.requestPasswordReset(body, req);
  }

  @Public()
  @Post('auth/password-reset/confirm')
  @HttpCode(204)
  confirmPasswordReset(
    @Body(new ZodBodyPipe(passwordResetConfirmSchema)) body: PasswordResetConfirm,
    @Req() req: Request,
  ): Promise<void> {
    return this.accounts.confirmPasswordReset(body, req);
  }

  @SignedIn()
  @Get('me')
  me(@CurrentActor() actor: Actor): Promise<User> {
    return this.accounts.me(actor);
  }
}
