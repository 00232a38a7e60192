import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { Request } from 'express';
import { mergeMap, type Observable } from 'rxjs';
import { activityRecordingOf } from './record-activity.decorator.js';
import { ActivityRecorder } from './activity.recorder.js';

/**
 * Records a `@RecordActivity` handler's action after it succeeded, before the answer leaves: the log
 * is written (or its failure counted) by the time the caller hears the action is done.
 */
@Injectable()
export class ActivityInterceptor implements NestInterceptor {
  constructor(private readonly recorder: ActivityRecorder) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const recording = activityRecordingOf(context.getHandler());
    if (recording === undefined || recording.recordedBy !== undefined) return next.handle();
    const req = context.switchToHttp().getRequest<Request>();
    return next.handle().pipe(
      mergeMap(async (answer: unknown) => {
        await this.recorder.record(recording, req, answer);
        return answer;
      }),
    );
  }
}
