/**
 * The embedded DNS server that containers use to find services, in the manner of swarm mode.
 *
 * <p>{@link io.shoal.net.dns.ServiceRecords} holds what each overlay network can resolve; the worker
 * replaces one service's entries at a time as tasks start and stop. {@link io.shoal.net.dns.DnsServer}
 * answers A queries for those names from them, per asker (a container only resolves names on the
 * networks it is attached to), and forwards every other name to the host's resolvers
 * ({@link io.shoal.net.dns.Upstreams}).
 *
 * <p>Names served (case-insensitive, with or without a trailing dot):
 * <ul>
 *   <li>{@code SERVICE} (and each alias, e.g. the stack-scoped short name): the service's VIP on the
 *       asker's network, or the task IPs when the service uses endpoint mode dnsrr;</li>
 *   <li>{@code tasks.SERVICE}: the IPs of the service's running tasks;</li>
 *   <li>{@code SERVICE.SLOT.TASKID}, {@code SERVICE.SLOT} and the container hostname: that task's IP.</li>
 * </ul>
 */
package io.shoal.net.dns;
