export { loadKubeConfig, registerKubeReadiness } from './kube-config.js';
export { kubeApiConfiguration, kubeCallsCounter } from './kube-api-configuration.js';
export { describeKubeRequest, type KubeRequest } from './kube-request.util.js';
export { TracedKubeHttp } from './traced-kube-http.js';
