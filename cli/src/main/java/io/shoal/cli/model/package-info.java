/**
 * The command model built without reading annotations at run time: written at build time from
 * picocli's reflective model of the annotated command classes, rebuilt through picocli's
 * programmatic API (docs/operations.md, "A fast CLI").
 */
package io.shoal.cli.model;
