import type { ConsoleClientEvent } from '@blockplane/contracts';

export const SOCKET_EVENT = 'blockplane:socket-event';

export interface SocketEventDeclaration {
  event: ConsoleClientEvent;
  /** Changes nothing the activity log keeps (watching, leaving, a fresh token): what GET is to a route. */
  readOnly: boolean;
}

/**
 * Marks a provider's method as the handler of one event of the console socket. Its access rule is declared
 * beside it with the decorators of routes (`@SignedIn`, `@ServerAccess(need)`, …), and a state-changing one
 * says what the activity log records (`@RecordActivity`, `@ActivityRecordedBy`): the route catalogue checks
 * and lists both, and the socket checks the rule on every event. A server rule reads the payload's `serverId`
 * (as a route reads `:id`); the rest of the payload is its body (a by-field need reads it).
 */
export function SocketEvent(event: ConsoleClientEvent, options: { readOnly?: boolean } = {}): MethodDecorator {
  return (_target, _key, descriptor) => {
    const declaration: SocketEventDeclaration = { event, readOnly: options.readOnly ?? false };
    Reflect.defineMetadata(SOCKET_EVENT, declaration, descriptor.value as object);
  };
}

export function socketEventOf(handler: object): SocketEventDeclaration | undefined {
  return Reflect.getOwnMetadata(SOCKET_EVENT, handler) as SocketEventDeclaration | undefined;
}
