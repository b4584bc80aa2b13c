/**
 * `createProxyService`: the proxy service alone (its own vault view, rate limiter and upstream
 * as given). A daemon that also serves the unix socket uses `createBrokerServices` instead, so
 * both share one state, one rate limiter and one upstream pool.
 *
 * @see ../../../../shared/spec/transports.md, spec/README.md Decision 15
 */
import { createBrokerServices, type BrokerServicesOptions } from '../create-broker-service.js';
import type { ProxyService } from './types.js';

/** @example const proxy = createProxyService({ vault, registry, brokerStore, ...ports, proxy: { allowRemoteClients: false } }) */
export function createProxyService(options: BrokerServicesOptions): ProxyService {
  return createBrokerServices(options).proxy;
}
