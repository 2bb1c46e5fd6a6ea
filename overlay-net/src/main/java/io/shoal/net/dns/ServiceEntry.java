package io.shoal.net.dns;

import java.net.Inet4Address;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Everything one service answers on one network: the unit the worker replaces atomically with
 * {@link ServiceRecords#put(String, ServiceEntry)}.
 *
 * @param name    the service name, e.g. {@code mystack_web}
 * @param aliases other names that resolve like the service name (and {@code tasks.ALIAS} like
 *                {@code tasks.SERVICE}): the stack-scoped short name ({@code web}) and network aliases
 * @param vip     the service's virtual IP on this network, or null for endpoint mode dnsrr, where the
 *                service name answers with the task IPs instead
 * @param tasks   the tasks that should be reachable now (running ones); their IPs answer
 *                {@code tasks.SERVICE}
 */
public record ServiceEntry(String name, Set<String> aliases, Inet4Address vip, List<TaskEntry> tasks) {
    public ServiceEntry {
        name = Names.normalize(name);
        aliases = aliases.stream().map(Names::normalize).collect(Collectors.toUnmodifiableSet());
        tasks = List.copyOf(tasks);
    }

    /** A service in endpoint mode vip. */
    public static ServiceEntry vip(String name, Inet4Address vip, List<TaskEntry> tasks) {
        return new ServiceEntry(name, Set.of(), Objects.requireNonNull(vip, "vip"), tasks);
    }

    /** A service in endpoint mode dnsrr: its name answers with the task IPs. */
    public static ServiceEntry dnsrr(String name, List<TaskEntry> tasks) {
        return new ServiceEntry(name, Set.of(), null, tasks);
    }

    /** The same service answering to more names as well. */
    public ServiceEntry withAliases(String... more) {
        return new ServiceEntry(name, Set.of(more), vip, tasks);
    }

    /** True when the service name answers with task IPs rather than a VIP. */
    public boolean dnsrr() {
        return vip == null;
    }
}
