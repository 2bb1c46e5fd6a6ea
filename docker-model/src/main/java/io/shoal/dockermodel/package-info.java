/**
 * Shoal's objects in the shapes of Docker's Engine API (v1.41), both ways: a {@code Service},
 * {@code Task}, {@code Node}, {@code Network} or the cluster written as the JSON dockerd returns,
 * and the specs docker's clients post ({@code ServiceSpec}, {@code NodeSpec}, a network create)
 * read into Shoal's protos. No server code: the Engine API ({@code io.shoal.engineapi}) and the
 * CLI's Docker-shaped {@code inspect} both use it.
 *
 * <p>Reading is strict in one way on purpose: a field Shoal would not apply is refused with its
 * path ({@code TaskTemplate.ContainerSpec.Privileges: not supported by Shoal}), never ignored
 * ({@link io.shoal.dockermodel.JsonReader}). Docker's zero values (null, false, 0, "", {}, [])
 * count as absent, since docker's clients send them for every field they do not set.
 */
package io.shoal.dockermodel;
