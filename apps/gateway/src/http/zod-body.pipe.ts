import { type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { DomainError } from '@blockplane/contracts';

/** One problem per field; an unknown field is named as its own path. */
function fieldProblems(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.flatMap((issue) => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: path ? `${path}.${key}` : key, message: 'is not a known field' }));
    }
    return [{ path, message: issue.message }];
  });
}

/** Validates a body, query or socket payload against its contract schema, or fails with field-level details (400). */
export class ZodBodyPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(
    private readonly schema: S,
    private readonly part: 'body' | 'query' | 'payload' = 'body',
  ) {}

  transform(value: unknown): z.output<S> {
    // No body at all (a browser's cookie-only refresh) reads as an empty object: missing fields are named.
    const result = this.schema.safeParse(value ?? {});
    if (result.success) return result.data;
    throw new DomainError('VALIDATION_FAILED', `request ${this.part} is invalid`, fieldProblems(result.error));
  }
}
