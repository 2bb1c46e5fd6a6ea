/** The orchestrator of replicated jobs: a number of completions, at most so many at a time, each completion a slot. */
package io.shoal.manager.orchestrator.jobs;
