import { Injectable } from '@nestjs/common';
import { Writable } from 'node:stream';
import { DomainError, type ErrorCode, type FileHost } from '@blockplane/contracts';
import { PodExec, type ExecOptions } from './pod-exec.js';
import { exitCodes, type ScriptName, scriptCommand } from './pod-scripts.js';

/** What a script's stdout may hold when it is collected rather than streamed (an entry, a list of codes). */
const COLLECT_LIMIT = 1024 * 1024;

const errorOfExit: Record<number, ErrorCode> = {
  [exitCodes.noFolder]: 'NOT_FOUND',
  [exitCodes.escapes]: 'FORBIDDEN',
  [exitCodes.missing]: 'NOT_FOUND',
  [exitCodes.exists]: 'CONFLICT',
  [exitCodes.notFile]: 'VALIDATION_FAILED',
  [exitCodes.isLink]: 'VALIDATION_FAILED',
  [exitCodes.isFolder]: 'CONFLICT',
  [exitCodes.noSpace]: 'PAYLOAD_TOO_LARGE',
  [exitCodes.mayNotCreate]: 'FORBIDDEN',
  [exitCodes.mayNotReplace]: 'FORBIDDEN',
  [exitCodes.notFolder]: 'VALIDATION_FAILED',
};

/** Runs the constant pod scripts on a server's file host and turns their exit codes into errors. */
@Injectable()
export class InPod {
  constructor(private readonly exec: PodExec) {}

  /** stdout is collected (bounded) unless `options.stdout` takes it. */
  async run(host: FileHost, script: ScriptName, args: readonly string[], options: ExecOptions = {}): Promise<Buffer> {
    const collected = options.stdout ? undefined : new Collector();
    const { exitCode, stderr } = await this.exec.run(host, scriptCommand(script, host.owner, args), {
      ...options,
      stdout: options.stdout ?? collected,
    });
    if (exitCode !== 0) throw scriptError(exitCode, stderr);
    return collected?.bytes() ?? Buffer.alloc(0);
  }
}

export function scriptError(exitCode: number, stderr: string, subject?: string): DomainError {
  const said = stderr.trim().split('\n').at(-1) ?? '';
  if (/No space left on device|Disk quota exceeded/.test(stderr)) {
    return new DomainError('PAYLOAD_TOO_LARGE', 'not enough free space on the volume');
  }
  const code = errorOfExit[exitCode];
  if (!code) return new DomainError('INTERNAL', `the file operation failed (exit ${exitCode}): ${said}`);
  return new DomainError(code, subject ? `${subject}: ${said}` : said);
}

class Collector extends Writable {
  private readonly chunks: Buffer[] = [];
  private size = 0;

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error) => void): void {
    this.size += chunk.length;
    if (this.size > COLLECT_LIMIT) return done(new DomainError('INTERNAL', 'the pod answered more than expected'));
    this.chunks.push(chunk);
    done();
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}
