/**
 * End-to-end tests ({@code *IT}, failsafe) on hosts that are network namespaces running real
 * daemons through {@code deploy/lab.sh}, and the benchmarks ({@code *Bench}, only with
 * {@code -Dshoal.bench=true}), which print figures and assert nothing about time.
 */
package io.shoal.e2e;
