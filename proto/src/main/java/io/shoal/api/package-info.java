/**
 * The Shoal API: the protobuf messages and gRPC services generated from {@code proto/src/main/proto},
 * {@link io.shoal.api.BuildInfo}, what a build of Shoal is (version, commit, API version), and
 * {@link io.shoal.api.Rpcs}, every rpc of those services.
 */
package io.shoal.api;
