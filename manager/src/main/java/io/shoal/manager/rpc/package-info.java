/**
 * What every gRPC server of a daemon shares: caller identity from client certificates
 * ({@link io.shoal.manager.rpc.AuthInterceptor}), relaying calls to the leader
 * ({@link io.shoal.manager.rpc.Forwarder}) and the pool of channels to other daemons.
 */
package io.shoal.manager.rpc;
