import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, type Logger } from '@blockplane/observability';
import type { PasswordResetConfig } from './password-reset.section.js';

/** The injection token of the one `Mailer`; tests provide a capturing one. */
export const MAILER = Symbol('Mailer');
export const PASSWORD_RESET_CONFIG = Symbol('PasswordResetConfig');

export interface PasswordResetMail {
  email: string;
  /** The single-use secret; only its hash is stored. */
  token: string;
}

export interface Mailer {
  sendPasswordReset(mail: PasswordResetMail): Promise<void>;
}

/** There is no mail transport yet: the reset link goes to the log, for the operator to pass on. */
@Injectable()
export class LogMailer implements Mailer {
  constructor(
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(PASSWORD_RESET_CONFIG) private readonly config: PasswordResetConfig,
  ) {}

  async sendPasswordReset({ email, token }: PasswordResetMail): Promise<void> {
    const link = `${this.config.url}#token=${encodeURIComponent(token)}`;
    this.logger.warn({ to: email, link }, 'no mail transport configured: password reset link logged instead of sent');
  }
}
