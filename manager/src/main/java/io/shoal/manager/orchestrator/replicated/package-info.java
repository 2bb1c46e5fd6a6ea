/** The orchestrator of replicated services: slots, restarts, scaling. */
package io.shoal.manager.orchestrator.replicated;
