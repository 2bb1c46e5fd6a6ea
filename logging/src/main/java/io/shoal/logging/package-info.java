/**
 * The daemon's and the client's logging: an SLF4J provider that writes one line per event to
 * stderr, as text or as JSON, with the time and its zone; java.util.logging (gRPC) and
 * System.Logger (the DNS code) are bridged into it, so a daemon's log has one format.
 * {@link io.shoal.logging.Logging#configure} sets the level and the format.
 */
package io.shoal.logging;
