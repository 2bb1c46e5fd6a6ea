/**
 * How the CLI reaches a daemon: {@link io.shoal.cli.client.Connection} picks the channel,
 * {@link io.shoal.cli.client.LightChannel} makes unary calls over the unix socket with a small HTTP/2
 * client of its own (no Netty, no grpc-core), and grpc-java's Netty channel serves streaming calls
 * and tcp:// with mutual TLS (docs/operations.md, "A fast CLI").
 */
package io.shoal.cli.client;
