/** One Kubernetes API request in the API server's own words (its audit log's verb and resource). */
export interface KubeRequest {
  verb: string;
  /** `statefulsets`, `pods/log`; the raw path for non-resource URLs (`/version`). */
  resource: string;
  namespace?: string;
  name?: string;
}

const APPLY_PATCH = 'application/apply-patch+yaml';

/**
 * Reads the verb and resource from the method, URL and content type, as the API server does:
 * a GET of a name is `get`, of a collection `list` (or `watch`), a PATCH with an apply body `apply`.
 */
export function describeKubeRequest(method: string, url: string, contentType = ''): KubeRequest {
  const { pathname, searchParams } = new URL(url);
  const segments = pathname.split('/').filter(Boolean);
  // /api/v1/… or /apis/<group>/<version>/…
  const prefix = segments[0] === 'api' ? 2 : segments[0] === 'apis' ? 3 : undefined;
  if (prefix === undefined || segments.length <= prefix) return { verb: method.toLowerCase(), resource: pathname };
  let rest = segments.slice(prefix);
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource = '', name, subresource] = rest;
  const request = {
    resource: subresource ? `${resource}/${subresource}` : resource,
    ...(namespace === undefined ? {} : { namespace }),
    ...(name === undefined ? {} : { name }),
  };
  return { verb: verbOf(method.toUpperCase(), name !== undefined, searchParams, contentType), ...request };
}

function verbOf(method: string, named: boolean, query: URLSearchParams, contentType: string): string {
  switch (method) {
    case 'GET':
      if (query.get('watch') === 'true' || query.get('watch') === '1') return 'watch';
      return named ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return contentType.startsWith(APPLY_PATCH) ? 'apply' : 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}
