// Real loopback servers that stand in for pods (demo app, TCP port, gRPC health) and the outside world (site, Squid).
export { startDemoApp } from './demo-app.ts';
export type { DemoApp, DemoAppOptions, DemoAppState } from './demo-app.ts';
export { startTcpListener } from './tcp-listener.ts';
export type { TcpListener, TcpListenerOptions } from './tcp-listener.ts';
export { startGrpcHealthServer } from './grpc-health.ts';
export type { GrpcHealthServer, GrpcHealthServerOptions, ServingStatus } from './grpc-health.ts';
export {
  EXTERNAL_SITE_CA_PATH,
  EXTERNAL_SITE_CA_PEM,
  EXTERNAL_SITE_CERT_PATH,
  EXTERNAL_SITE_CERT_PEM,
  EXTERNAL_SITE_KEY_PATH,
  EXTERNAL_SITE_KEY_PEM,
  startExternalSite,
} from './external-site.ts';
export type { ExternalSite, ExternalSiteOptions } from './external-site.ts';
export { startForwardProxy } from './forward-proxy.ts';
export type { ForwardProxy, ForwardProxyOptions, ProxiedRequest } from './forward-proxy.ts';
export { requireSquid, SQUID_MISSING, squidBinary, startSquid } from './squid.ts';
export type { SquidExecResult, SquidOptions, SquidProxy, SquidRequest } from './squid.ts';
