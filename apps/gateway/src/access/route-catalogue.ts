import { Injectable, type OnModuleInit, RequestMethod, type Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import {
  type AccessRuleInfo,
  type ActivityAction,
  type ConsoleClientEvent,
  consoleClientEventSchemas,
} from '@blockplane/contracts';
import { type ActivityRecording, activityRecordingOf } from '../activity/record-activity.decorator.js';
import { type AccessRule, declaredRules } from './access-rule.js';
import { socketEventOf } from './socket-event.js';

export type HttpMethod = keyof typeof RequestMethod;

export interface RouteEntry {
  method: HttpMethod;
  /** As Express matches it: `/api/v1/servers/:id/power`. */
  path: string;
  /** `ServersController.power`, to name the culprit when a check fails. */
  handler: string;
  /** As data, in the contract's shape (`GET /api/v1/routes` answers it). */
  rule: AccessRuleInfo;
  /** What the activity log records after a success, `null` for a route that changes nothing. */
  activity: ActivityAction | null;
}

export interface SocketEventEntry {
  event: ConsoleClientEvent;
  /** `ConsoleEvents.join`, to name the culprit when a check fails. */
  handler: string;
  rule: AccessRuleInfo;
  activity: ActivityAction | null;
  /** What the console socket runs: the declared rule, what it records, and the bound handler. */
  access: AccessRule;
  recording: ActivityRecording | undefined;
  invoke(call: unknown): Promise<unknown>;
}

const readOnly = new Set<HttpMethod>(['GET', 'HEAD']);

/**
 * Every HTTP route and console socket event of the running app with the access rule it declares and the
 * activity it records, enumerated from Nest's own controllers and providers (not a hand-kept list). Building
 * it is the bootstrap check: the app refuses to start when a handler declares no rule or several, when a
 * state-changing route or event is neither public nor recorded, when a server rule has no `:id` (a route) or
 * no `serverId` in its payload (an event), when an event is public (the handshake authenticates every
 * socket), or when the protocol has an event without exactly one handler.
 *
 * Tests obtain it from a gateway they start in-process (`startTestService(gatewayApp)` from
 * `@blockplane/service/testing`, or `createServiceApp` + `init()`): `app.get(RouteCatalogue).routes`.
 * It is filled during `init()`, so it is read after the app started.
 */
@Injectable()
export class RouteCatalogue implements OnModuleInit {
  private entries: readonly RouteEntry[] = [];
  private events: readonly SocketEventEntry[] = [];

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  get routes(): readonly RouteEntry[] {
    return this.entries;
  }

  get socketEvents(): readonly SocketEventEntry[] {
    return this.events;
  }

  onModuleInit(): void {
    const { routes, problems } = this.survey();
    const sockets = this.surveySocketEvents();
    const all = [...problems, ...sockets.problems];
    if (all.length > 0) {
      throw new Error(`the gateway refuses to start:\n${all.map((p) => `  - ${p}`).join('\n')}`);
    }
    this.entries = routes;
    this.events = sockets.events;
  }

  private surveySocketEvents(): { events: SocketEventEntry[]; problems: string[] } {
    const events: SocketEventEntry[] = [];
    const problems: string[] = [];
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | null | undefined;
      const provider = wrapper.metatype as Type | null;
      if (!instance || typeof instance !== 'object' || !provider || typeof provider !== 'function') continue;
      const prototype = Object.getPrototypeOf(instance) as Record<string, object>;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name];
        const declaration = handler && socketEventOf(handler);
        if (!handler || !declaration) continue;
        const entry = describeEvent(`${provider.name}.${name}`, declaration, handler, provider, instance);
        if (typeof entry === 'string') problems.push(entry);
        else events.push(entry);
      }
    }
    if (events.length > 0) {
      for (const event of Object.keys(consoleClientEventSchemas) as ConsoleClientEvent[]) {
        const handlers = events.filter((entry) => entry.event === event);
        if (handlers.length !== 1) {
          const names = handlers.map((entry) => entry.handler).join(', ');
          problems.push(
            `socket event ${event} has ${handlers.length} handlers${names ? ` (${names})` : ''}; exactly one is needed`,
          );
        }
      }
    }
    events.sort((a, b) => a.event.localeCompare(b.event));
    return { events, problems };
  }

  private survey(): { routes: RouteEntry[]; problems: string[] } {
    const routes: RouteEntry[] = [];
    const problems: string[] = [];
    const controllers = new Set(this.discovery.getControllers().map((wrapper) => wrapper.metatype as Type | null));
    for (const controller of controllers) {
      if (!controller) continue;
      const prototype = controller.prototype as Record<string, object>;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const handler = prototype[name];
        const verb = handler && (Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined);
        if (!handler || verb === undefined) continue;
        for (const path of routePaths(controller, handler)) {
          const route = describe(
            `${controller.name}.${name}`,
            RequestMethod[verb] as HttpMethod,
            path,
            handler,
            controller,
          );
          if (typeof route === 'string') problems.push(route);
          else routes.push(route);
        }
      }
    }
    routes.sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method));
    return { routes, problems };
  }
}

/** The entry for one route, or what is wrong with its declarations. */
function describe(
  handlerName: string,
  method: HttpMethod,
  path: string,
  handler: object,
  controller: object,
): RouteEntry | string {
  const name = `${handlerName} (${method} ${path})`;
  const rules = declaredRules(handler, controller);
  const [rule] = rules;
  if (rule === undefined) return `${name} declares no access rule (@Public, @SignedIn, @AdminOnly or @ServerAccess)`;
  if (rules.length > 1) return `${name} declares ${rules.length} access rules; exactly one is allowed`;
  const activity = activityRecordingOf(handler)?.action ?? null;
  if (rule.kind === 'public' && activity !== null) return `${name} is public but records activity: nobody to record`;
  if (rule.kind !== 'public' && activity === null && !readOnly.has(method)) {
    return `${name} changes state but records no activity (@RecordActivity)`;
  }
  if (rule.kind === 'server' && !/\/:id(\/|$)/.test(path)) return `${name} needs server access but has no :id`;
  return { method, path, handler: handlerName, rule: asData(rule), activity };
}

/** The entry for one socket event handler, or what is wrong with its declarations. */
function describeEvent(
  handlerName: string,
  { event, readOnly: changesNothing }: { event: ConsoleClientEvent; readOnly: boolean },
  handler: object,
  provider: object,
  instance: Record<string, unknown>,
): SocketEventEntry | string {
  const name = `${handlerName} (socket event ${event})`;
  const rules = declaredRules(handler, provider);
  const [rule] = rules;
  if (rule === undefined) return `${name} declares no access rule (@SignedIn, @AdminOnly or @ServerAccess)`;
  if (rules.length > 1) return `${name} declares ${rules.length} access rules; exactly one is allowed`;
  if (rule.kind === 'public') return `${name} is public, but every socket is authenticated: declare who may send it`;
  const recording = activityRecordingOf(handler);
  if (!changesNothing && recording === undefined) {
    return `${name} changes state but records no activity (@RecordActivity or @ActivityRecordedBy)`;
  }
  if (rule.kind === 'server' && !('serverId' in consoleClientEventSchemas[event].shape)) {
    return `${name} needs server access but its payload has no serverId`;
  }
  const method = handler as (call: unknown) => Promise<unknown>;
  return {
    event,
    handler: handlerName,
    rule: asData(rule),
    activity: recording?.action ?? null,
    access: rule,
    recording,
    invoke: (call) => method.call(instance, call),
  };
}

function asData(rule: AccessRule): AccessRuleInfo {
  if (rule.kind !== 'server' || typeof rule.need === 'string') return rule;
  return { kind: 'server', need: { field: rule.need.field, permissions: { ...rule.need.permissions } } };
}

function routePaths(controller: object, handler: object): string[] {
  const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : [String(value ?? '')]);
  return list(Reflect.getMetadata(PATH_METADATA, controller)).flatMap((prefix) =>
    list(Reflect.getMetadata(PATH_METADATA, handler)).map(
      (path) =>
        `/${[prefix, path]
          .flatMap((part) => part.split('/'))
          .filter(Boolean)
          .join('/')}`,
    ),
  );
}
