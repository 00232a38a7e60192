// core/v1 Events as the kubelet, scheduler and controllers write them; a repeat of the
// same reason and message on the same object bumps `count` instead of adding an Event.
import { randomBytes } from 'node:crypto';
import type { Store } from '../api/store.js';
import type { KubeObject } from '../api/types.js';
import { timestamp } from '../api/object-utils.js';
import { EVENTS } from './refs.js';

export interface EventSource {
  component: string; // kubelet, default-scheduler, statefulset-controller
  host?: string;
}

export class EventRecorder {
  private readonly seen = new Map<string, Map<string, { namespace: string; name: string }>>(); // by uid

  constructor(private readonly store: Store) {}

  record(
    source: EventSource,
    involved: KubeObject,
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
    fieldPath?: string,
  ): void {
    const namespace = involved.metadata.namespace ?? 'default';
    const uid = involved.metadata.uid ?? '';
    const key = `${fieldPath ?? ''}|${reason}|${message}`;
    const now = timestamp();
    const previous = this.seen.get(uid)?.get(key);
    try {
      if (previous && this.bump(previous, now)) return;
      const name = `${involved.metadata.name}.${randomBytes(8).toString('hex')}`;
      this.store.create(EVENTS, {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: {
          apiVersion: involved.apiVersion,
          kind: involved.kind,
          namespace,
          name: involved.metadata.name,
          uid: involved.metadata.uid,
          resourceVersion: involved.metadata.resourceVersion,
          ...(fieldPath ? { fieldPath } : {}),
        },
        reason,
        message,
        type,
        source: { component: source.component, ...(source.host ? { host: source.host } : {}) },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        eventTime: null,
        reportingComponent: source.component,
        reportingInstance: source.host ?? '',
      });
      const forObject = this.seen.get(uid) ?? new Map<string, { namespace: string; name: string }>();
      forObject.set(key, { namespace, name });
      this.seen.set(uid, forObject);
    } catch {
      // The namespace may be terminating; like the real recorder, losing an Event is not an error.
    }
  }

  /** Forgets the aggregation keys of a deleted object. */
  forget(uid: string | undefined): void {
    if (uid) this.seen.delete(uid);
  }

  private bump(event: { namespace: string; name: string }, now: string): boolean {
    const updated = this.store.mutate(EVENTS, event.namespace, event.name, (obj) => {
      obj['count'] = Number(obj['count'] ?? 1) + 1;
      obj['lastTimestamp'] = now;
    });
    return updated !== undefined;
  }
}
