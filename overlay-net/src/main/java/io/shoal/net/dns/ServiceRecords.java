package io.shoal.net.dns;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The names each network resolves, kept up to date by the worker; the {@link Records} the DNS server
 * reads.
 *
 * <p>Update model: the unit of change is one service on one network. {@link #put(String, ServiceEntry)}
 * replaces everything that service answers on that network in one step (VIP, aliases, task list), so a
 * query sees either the old entry or the new one, never a mix; {@link #remove} and
 * {@link #removeNetwork} take names away the same way. The worker calls {@code put} again with the whole
 * new task list whenever a task of the service starts or stops on any node (it knows the addresses of
 * remote tasks from the store), and {@code remove} when the service is gone or leaves the network.
 *
 * <p>Thread-safety: writers are serialised on a lock; readers never lock and always see a complete
 * immutable snapshot, so lookups on the DNS server's network thread never wait for an update.
 */
public final class ServiceRecords implements Records {
    private final ClientNetworks clients;
    private final Object writeLock = new Object();
    /** network id -> service name -> entry; guarded by writeLock. */
    private final Map<String, Map<String, ServiceEntry>> services = new HashMap<>();
    /** network id -> name -> addresses (possibly empty): published copy-on-write. */
    private volatile Map<String, Map<String, List<Inet4Address>>> index = Map.of();

    /** Records whose askers are told apart by {@code clients}. */
    public ServiceRecords(ClientNetworks clients) {
        this.clients = Objects.requireNonNull(clients, "clients");
    }

    /** Replaces what {@code service.name()} answers on {@code networkId}, atomically. */
    public void put(String networkId, ServiceEntry service) {
        Objects.requireNonNull(networkId, "networkId");
        synchronized (writeLock) {
            services.computeIfAbsent(networkId, n -> new LinkedHashMap<>()).put(service.name(), service);
            reindex(networkId);
        }
    }

    /**
     * Shorthand for a service whose tasks need no names of their own: {@code vip} null means endpoint
     * mode dnsrr. Replaces what the service answers on {@code networkId}, atomically.
     */
    public void put(String networkId, String serviceName, Inet4Address vip, List<Inet4Address> taskIps) {
        List<TaskEntry> tasks = taskIps.stream().map(TaskEntry::anonymous).toList();
        put(networkId, new ServiceEntry(serviceName, Set.of(), vip, tasks));
    }

    /** Removes a service's names from one network. Returns false if it was not there. */
    public boolean remove(String networkId, String serviceName) {
        String name = Names.normalize(serviceName);
        synchronized (writeLock) {
            Map<String, ServiceEntry> onNetwork = services.get(networkId);
            if (onNetwork == null || onNetwork.remove(name) == null) {
                return false;
            }
            if (onNetwork.isEmpty()) {
                services.remove(networkId);
            }
            reindex(networkId);
            return true;
        }
    }

    /** Removes every name of a network (the network was removed from this node). */
    public void removeNetwork(String networkId) {
        synchronized (writeLock) {
            services.remove(networkId);
            reindex(networkId);
        }
    }

    /** The entry {@code serviceName} has on {@code networkId}, or null. */
    public ServiceEntry get(String networkId, String serviceName) {
        synchronized (writeLock) {
            Map<String, ServiceEntry> onNetwork = services.get(networkId);
            return onNetwork == null ? null : onNetwork.get(Names.normalize(serviceName));
        }
    }

    @Override
    public Resolution resolve(String name, InetAddress client) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        if (n.endsWith(".")) {
            n = n.substring(0, n.length() - 1);
        }
        if (n.isEmpty()) {
            return Resolution.NOT_OURS;
        }
        Map<String, Map<String, List<Inet4Address>>> snapshot = index;
        for (String networkId : clients.networksOf(client)) {
            Map<String, List<Inet4Address>> names = snapshot.get(networkId);
            List<Inet4Address> found = names == null ? null : names.get(n);
            if (found != null && !found.isEmpty()) {
                return new Resolution.Found(found);
            }
        }
        for (Map<String, List<Inet4Address>> names : snapshot.values()) {
            if (names.containsKey(n)) {
                return Resolution.HIDDEN;
            }
        }
        return Resolution.NOT_OURS;
    }

    /** Rebuilds one network's name map and publishes a new snapshot; caller holds writeLock. */
    private void reindex(String networkId) {
        Map<String, Map<String, List<Inet4Address>>> next = new HashMap<>(index);
        Map<String, ServiceEntry> onNetwork = services.get(networkId);
        if (onNetwork == null) {
            next.remove(networkId);
        } else {
            next.put(networkId, namesOf(onNetwork.values()));
        }
        index = Map.copyOf(next);
    }

    private static Map<String, List<Inet4Address>> namesOf(Iterable<ServiceEntry> entries) {
        Map<String, Set<Inet4Address>> names = new HashMap<>();
        for (ServiceEntry s : entries) {
            List<Inet4Address> taskIps = s.tasks().stream().map(TaskEntry::ip).distinct().toList();
            Set<String> serviceNames = new LinkedHashSet<>();
            serviceNames.add(s.name());
            serviceNames.addAll(s.aliases());
            for (String n : serviceNames) {
                add(names, n, s.dnsrr() ? taskIps : List.of(s.vip()));
                add(names, "tasks." + n, taskIps);
            }
            for (TaskEntry t : s.tasks()) {
                if (t.slot() != null) {
                    add(names, s.name() + "." + t.slot() + "." + t.taskId(), List.of(t.ip()));
                    add(names, s.name() + "." + t.slot(), List.of(t.ip()));
                }
                if (t.hostname() != null) {
                    add(names, t.hostname(), List.of(t.ip()));
                }
            }
        }
        Map<String, List<Inet4Address>> frozen = new HashMap<>(names.size());
        names.forEach((n, ips) -> frozen.put(n, List.copyOf(ips)));
        return Map.copyOf(frozen);
    }

    private static void add(Map<String, Set<Inet4Address>> names, String name, List<Inet4Address> ips) {
        names.computeIfAbsent(name, n -> new LinkedHashSet<>()).addAll(ips);
    }
}
