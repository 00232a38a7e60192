import { type PipeTransform } from '@nestjs/common';
import { z } from 'zod';
import { DomainError } from '@blockplane/contracts';

const uuid = z.uuid();

/** An id that is not a UUID names nothing that can exist: 404, like any other unknown id. */
export class UuidParamPipe implements PipeTransform<string, string> {
  constructor(private readonly what: string) {}

  transform(value: string): string {
    if (uuid.safeParse(value).success) return value;
    throw new DomainError('NOT_FOUND', `${this.what} not found`);
  }
}
