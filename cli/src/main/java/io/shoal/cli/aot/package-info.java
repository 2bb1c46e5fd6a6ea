/**
 * The client's ahead-of-time cache: the training run that package time records it from
 * (docs/operations.md, "A fast CLI").
 */
package io.shoal.cli.aot;
