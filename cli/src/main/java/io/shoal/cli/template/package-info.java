/**
 * The subset of Go's text/template that docker's {@code --format} takes, for Shoal's listing and
 * inspect commands: {@code {{.Field}}} chains, variables, pipelines, {@code if}/{@code else}/
 * {@code range}/{@code with}, trim markers, comments, Go's comparison and logic functions,
 * {@code len}, {@code index}, {@code slice}, {@code print}/{@code printf}/{@code println}, and
 * docker's own {@code json}, {@code split}, {@code join}, {@code title}, {@code lower},
 * {@code upper}, {@code pad} and {@code truncate}.
 *
 * <p>A template runs on JSON ({@code JsonNode}) or plain Java maps and lists: an object's keys are
 * its fields, and values print as Go prints them ({@code map[k:v]}, {@code [a b]}, {@code <nil>}).
 * A malformed template or one naming something that is not there fails with one line in Go's
 * words ({@link io.shoal.cli.template.TemplateException}).
 */
package io.shoal.cli.template;
