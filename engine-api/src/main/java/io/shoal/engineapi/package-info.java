/**
 * The Docker Engine API served by a node ({@code shoal daemon --docker-api}): docker's paths, JSON
 * shapes, query parameters, status codes and error bodies over HTTP/1.1 on Netty, so that the
 * {@code docker} CLI, docker-py, docker-java and other Engine API clients drive a Shoal cluster.
 *
 * <p>It is a client of the node's own Control API (the same channel, and so the same forwarding
 * to the leader, the {@code shoal} CLI gets), never a way around it: {@link io.shoal.engineapi.Backend}
 * holds the gRPC stubs, the route classes ({@code *Routes}) translate, and
 * {@code io.shoal.dockermodel} maps the objects. The design, the version served and every
 * difference from dockerd are in docs/docker-api.md.
 */
package io.shoal.engineapi;
