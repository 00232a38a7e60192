import type { ActivityAction, ServiceName } from '@blockplane/contracts';

export const RECORD_ACTIVITY = 'blockplane:record-activity';

/** What a handler call was about, from its route params, its (validated) body and its answer. */
export interface ActivityCall<Answer> {
  params: Record<string, string | undefined>;
  body: unknown;
  answer: Answer;
}

/** Beyond who, from where and when: which server (default: the route's), which account, what was asked. */
export interface ActivityFacts {
  serverId?: string;
  subjectUserId?: string;
  /** Never secrets: no key secret, password or token. */
  details?: Record<string, unknown>;
}

export interface ActivityRecording {
  action: ActivityAction;
  facts?: (call: ActivityCall<unknown>) => ActivityFacts;
  /** The service that performs the action records it itself: the gateway lists it, and records nothing. */
  recordedBy?: ServiceName;
}

/**
 * Writes the action to the activity log once the handler has succeeded (never for a refused or failed call).
 * The answer's type is checked against the handler's.
 */
export function RecordActivity<Answer = unknown>(
  action: ActivityAction,
  facts?: (call: ActivityCall<Answer>) => ActivityFacts,
) {
  return <T extends (...args: never[]) => Promise<Answer>>(
    _target: object,
    _key: string | symbol,
    descriptor: TypedPropertyDescriptor<T>,
  ): void => {
    const recording: ActivityRecording = { action, facts: facts as ActivityRecording['facts'] };
    if (descriptor.value) Reflect.defineMetadata(RECORD_ACTIVITY, recording, descriptor.value);
  };
}

/**
 * The action is written to the activity log by the service that performs it (the console records every
 * command, with what it ran): declared here so the bootstrap check and the catalogue know the handler's
 * action, never recorded a second time by the gateway.
 */
export function ActivityRecordedBy(service: Exclude<ServiceName, 'gateway'>, action: ActivityAction): MethodDecorator {
  return (_target, _key, descriptor) => {
    const recording: ActivityRecording = { action, recordedBy: service };
    Reflect.defineMetadata(RECORD_ACTIVITY, recording, descriptor.value as object);
  };
}

export function activityRecordingOf(handler: object): ActivityRecording | undefined {
  return Reflect.getOwnMetadata(RECORD_ACTIVITY, handler) as ActivityRecording | undefined;
}
