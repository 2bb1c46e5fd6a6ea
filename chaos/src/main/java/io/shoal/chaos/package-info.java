/**
 * Fault injection with a checked history (issue 15 part 1): clients record every operation they make
 * against a cluster while a nemesis injects faults ({@link io.shoal.chaos.history}); checkers then
 * decide whether what the clients saw is something a correct cluster could have answered
 * ({@link io.shoal.chaos.check}). The runs themselves are the module's {@code *IT} tests.
 */
package io.shoal.chaos;
