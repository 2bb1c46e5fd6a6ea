/** Output for people (tables) and scripts (JSON), and parsing of durations and sizes. */
package io.shoal.cli.output;
