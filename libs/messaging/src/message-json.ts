/**
 * A NATS message's payload read as JSON, or undefined when it is not JSON: the caller's schema then refuses
 * it like any other bad payload, instead of the parse throwing inside a subscription callback.
 */
export function messageJson(message: { string(): string }): unknown {
  try {
    return JSON.parse(message.string());
  } catch {
    return undefined;
  }
}
