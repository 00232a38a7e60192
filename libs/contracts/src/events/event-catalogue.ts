import { z } from 'zod';

const id = z.uuid();

/**
 * Every JetStream event, by subject. The subject style is `noun.past-participle`
 * (`server.requested`, `pod.ready`) for ever: a renamed event must fail to compile.
 */
export const eventCatalogue = {
  'server.requested': z.object({
    serverId: id,
    ownerId: id,
  }),
  'pod.ready': z.object({
    serverId: id,
    podName: z.string().min(1),
  }),
} as const;

export type EventCatalogue = typeof eventCatalogue;
export type EventSubject = keyof EventCatalogue;
export type EventPayload<S extends EventSubject> = z.infer<EventCatalogue[S]>;

export const eventSubjects = Object.keys(eventCatalogue) as EventSubject[];

export function isEventSubject(value: string): value is EventSubject {
  return Object.hasOwn(eventCatalogue, value);
}
