import { describe, expect, it } from '@jest/globals';
import { describeKubeRequest } from './kube-request.util.js';

const api = 'https://10.0.0.1:6443';

describe('describeKubeRequest', () => {
  it('names reads of one object and of collections as the API server does', () => {
    expect(describeKubeRequest('GET', `${api}/api/v1/namespaces/games/secrets/mc-1`)).toEqual({
      verb: 'get',
      resource: 'secrets',
      namespace: 'games',
      name: 'mc-1',
    });
    expect(describeKubeRequest('GET', `${api}/apis/apps/v1/namespaces/games/statefulsets?labelSelector=a%3Db`)).toEqual(
      { verb: 'list', resource: 'statefulsets', namespace: 'games' },
    );
    expect(describeKubeRequest('GET', `${api}/api/v1/namespaces/games/pods?watch=true`).verb).toBe('watch');
  });

  it('tells a namespace from a namespaced collection', () => {
    expect(describeKubeRequest('GET', `${api}/api/v1/namespaces/games`)).toEqual({
      verb: 'get',
      resource: 'namespaces',
      name: 'games',
    });
    expect(describeKubeRequest('POST', `${api}/api/v1/namespaces/`)).toEqual({
      verb: 'create',
      resource: 'namespaces',
    });
  });

  it('tells server-side apply from other patches, and delete from deletecollection', () => {
    const sts = `${api}/apis/apps/v1/namespaces/games/statefulsets/mc-1?fieldManager=x&force=true`;
    expect(describeKubeRequest('PATCH', sts, 'application/apply-patch+yaml').verb).toBe('apply');
    expect(describeKubeRequest('PATCH', sts, 'application/merge-patch+json').verb).toBe('patch');
    expect(describeKubeRequest('DELETE', sts).verb).toBe('delete');
    expect(describeKubeRequest('DELETE', `${api}/api/v1/namespaces/games/pods`).verb).toBe('deletecollection');
    expect(describeKubeRequest('PUT', sts).verb).toBe('update');
  });

  it('keeps subresources and non-resource paths', () => {
    expect(describeKubeRequest('GET', `${api}/api/v1/namespaces/games/pods/mc-1-0/log`).resource).toBe('pods/log');
    expect(describeKubeRequest('GET', `${api}/version/`)).toEqual({ verb: 'get', resource: '/version/' });
  });
});
