import {
  IsomorphicFetchHttpLibrary,
  type PromiseHttpLibrary,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';
import { type Counter, currentTraceHeaders, inSpan, SpanKind, SpanStatusCode } from '@blockplane/observability';
import { describeKubeRequest } from './kube-request.util.js';

/**
 * client-node's HTTP layer, with each API call a client span (verb, resource, status code) in the
 * caller's trace, passed on to the API server in `traceparent`, and counted by verb and code. It
 * also reuses connections: client-node 2.0.1 builds a new undici Agent, so a new TCP (and TLS)
 * connection, for every request of a TLS-configured cluster.
 */
export class TracedKubeHttp implements PromiseHttpLibrary {
  private readonly fetch = new IsomorphicFetchHttpLibrary();
  private dispatcher?: ReturnType<RequestContext['getDispatcher']>;

  /** `calls`: where each finished call is counted (`kubeCallsCounter`), by verb and HTTP status (0: no answer). */
  constructor(private readonly calls: Counter<'verb' | 'code'>) {}

  /**
   * Sets on `request`, and answers, the connection pool every request goes over: each request of one KubeConfig
   * gets an equivalent Agent, so the first one serves them all (`undefined`: the default, shared, dispatcher).
   */
  pool(request: RequestContext): ReturnType<RequestContext['getDispatcher']> {
    this.dispatcher ??= request.getDispatcher();
    if (this.dispatcher) request.setDispatcher(this.dispatcher);
    return this.dispatcher;
  }

  send(request: RequestContext): Promise<ResponseContext> {
    this.pool(request);
    const method = request.getHttpMethod();
    const { verb, resource, namespace, name } = describeKubeRequest(
      method,
      request.getUrl(),
      request.getHeaders()['Content-Type'],
    );
    const attributes = {
      'k8s.verb': verb,
      'k8s.resource': resource,
      ...(namespace === undefined ? {} : { 'k8s.namespace.name': namespace }),
      ...(name === undefined ? {} : { 'k8s.object.name': name }),
      'http.request.method': method,
    };
    return inSpan(`kube ${verb} ${resource}`, { kind: SpanKind.CLIENT, attributes }, async (span) => {
      for (const [header, value] of Object.entries(currentTraceHeaders())) request.setHeaderParam(header, value);
      let code = 0;
      try {
        const response = await this.fetch.send(request).toPromise();
        code = response.httpStatusCode;
        span.setAttribute('http.response.status_code', code);
        if (code >= 400) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${code}` });
        return response;
      } finally {
        this.calls.inc({ verb, code });
      }
    });
  }
}
