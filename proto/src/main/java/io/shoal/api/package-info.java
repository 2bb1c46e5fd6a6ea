/**
 * The Shoal API: the protobuf messages and gRPC services generated from {@code proto/src/main/proto},
 * and {@link io.shoal.api.BuildInfo}, what a build of Shoal is (version, commit, API version).
 */
package io.shoal.api;
