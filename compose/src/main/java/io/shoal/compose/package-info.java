/**
 * Compose files in, Shoal's specs out: the pure half of {@code shoal stack deploy}.
 *
 * <p>The pipeline, one class per step: {@link io.shoal.compose.YamlReader} parses each file (YAML
 * 1.2 core schema; anchors, aliases and {@code <<} merge keys), {@link io.shoal.compose.Interpolation}
 * substitutes variables from the environment and the {@code .env} beside the first file,
 * {@link io.shoal.compose.Normalizer} checks every key and value and rewrites short syntaxes into
 * one canonical tree (every problem names the file, the path and what is wrong),
 * {@link io.shoal.compose.Merger} merges the files by the compose specification's rules, and
 * {@link io.shoal.compose.StackTranslator} turns the merged {@link io.shoal.compose.Project} into a
 * {@link io.shoal.compose.StackPlan}: the networks, secrets, configs and services of a stack as
 * protobuf specs, named {@code STACK_NAME} and labelled {@code com.docker.stack.namespace=STACK}.
 *
 * <p>No gRPC, no cluster: what to create, update or remove is decided by the CLI against what the
 * managers hold. Docker's {@code cli/compose} and the compose specification are the references.
 */
package io.shoal.compose;
