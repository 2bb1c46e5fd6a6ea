/** The worker agent: the session with the dispatcher, heartbeats, and what the node reports about itself. */
package io.shoal.worker.agent;
