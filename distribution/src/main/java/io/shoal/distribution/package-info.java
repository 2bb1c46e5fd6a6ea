/**
 * What the CLI and the worker both need to talk about images: an image reference as users write
 * it ({@link io.shoal.distribution.ImageRef}) and registry credentials from a docker-style
 * {@code config.json} ({@link io.shoal.distribution.DockerConfig}, {@link io.shoal.distribution.Credentials}).
 * No network and no daemon code, so the CLI stays small.
 */
package io.shoal.distribution;
