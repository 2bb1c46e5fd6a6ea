package io.shoal.manager.network;

import io.shoal.api.EndpointSpec;
import io.shoal.api.PortConfig;
import io.shoal.api.Service;
import io.shoal.manager.rpc.Calls;
import io.shoal.manager.store.ReadTx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a service's published ports and allocates them in the store, in the transaction that
 * writes the service, so two services can never hold the same port. As in swarm mode: an ingress
 * port is taken on every node, so it may not be used by any other service, in either mode; a
 * host-mode port only on the nodes that run a task (the scheduler's host-port filter keeps two
 * such tasks apart), so host-mode services may share it; an ingress port given as 0 (or not at
 * all) gets a free one from {@value #DYNAMIC_FIRST}-{@value #DYNAMIC_LAST}, and keeps it across
 * updates.
 */
public final class PublishedPorts {
    public static final int DYNAMIC_FIRST = 30000;
    public static final int DYNAMIC_LAST = 32767;

    private PublishedPorts() {}

    /** Field checks that need no store. */
    public static void validate(EndpointSpec spec) {
        Set<String> seen = new HashSet<>();
        for (PortConfig p : spec.getPortsList()) {
            if (p.getTargetPort() < 1 || p.getTargetPort() > 65535) {
                throw Calls.invalid("publish: target port " + p.getTargetPort() + " is not in 1-65535");
            }
            if (p.getPublishedPort() > 65535) {
                throw Calls.invalid("publish: published port " + p.getPublishedPort() + " is not in 1-65535");
            }
            if (p.getProtocol() != PortConfig.Protocol.TCP && p.getProtocol() != PortConfig.Protocol.UDP) {
                throw Calls.invalid("publish: protocol " + p.getProtocol().name().toLowerCase() + " is not supported; use tcp or udp");
            }
            if (p.getPublishMode() == PortConfig.PublishMode.HOST && p.getPublishedPort() == 0) {
                throw Calls.invalid("publish: a host-mode port needs published=PORT (target " + p.getTargetPort() + ")");
            }
            if (p.getPublishedPort() != 0 && !seen.add(key(p))) {
                throw Calls.invalid("publish: port " + key(p) + " is published twice");
            }
        }
        if (spec.getMode() == EndpointSpec.ResolutionMode.DNSRR
                && spec.getPortsList().stream().anyMatch(p -> p.getPublishMode() == PortConfig.PublishMode.INGRESS)) {
            throw Calls.invalid("publish: ingress ports need endpoint mode vip; with --endpoint-mode dnsrr publish in mode=host");
        }
    }

    /**
     * The ports as allocated for service {@code serviceId} (published ports filled in), refusing a
     * port another service holds. {@code current} is the service's previous allocation (empty for a
     * new service), whose dynamic ports are kept.
     */
    public static List<PortConfig> allocate(ReadTx tx, String serviceId, EndpointSpec spec, List<PortConfig> current) {
        Map<String, String> ingressTaken = new HashMap<>(); // "8080/tcp" -> service name
        Map<String, String> hostTaken = new HashMap<>();
        for (Service s : tx.services()) {
            if (s.getId().equals(serviceId)) {
                continue;
            }
            for (PortConfig p : s.getEndpoint().getPortsList()) {
                (p.getPublishMode() == PortConfig.PublishMode.INGRESS ? ingressTaken : hostTaken)
                        .put(key(p), s.getSpec().getAnnotations().getName());
            }
        }
        List<PortConfig> out = new ArrayList<>();
        Set<String> mine = new HashSet<>();
        spec.getPortsList().stream().filter(p -> p.getPublishedPort() != 0).forEach(p -> mine.add(key(p)));
        for (PortConfig p : spec.getPortsList()) {
            if (p.getPublishedPort() != 0) {
                String owner = ingressTaken.get(key(p));
                if (owner == null && p.getPublishMode() == PortConfig.PublishMode.INGRESS) {
                    owner = hostTaken.get(key(p));
                }
                if (owner != null) {
                    throw Calls.conflict("publish: port " + key(p) + " is already in use by service " + owner);
                }
                out.add(p);
                continue;
            }
            // dynamic: the port this target had before, else the lowest free one
            PortConfig kept = current.stream().filter(c -> c.getTargetPort() == p.getTargetPort()
                    && c.getProtocol() == p.getProtocol() && c.getPublishMode() == p.getPublishMode()
                    && !mine.contains(key(c)) && !ingressTaken.containsKey(key(c)) && !hostTaken.containsKey(key(c)))
                    .findFirst().orElse(null);
            int port = kept != null ? kept.getPublishedPort() : 0;
            for (int candidate = DYNAMIC_FIRST; port == 0 && candidate <= DYNAMIC_LAST; candidate++) {
                String k = candidate + "/" + proto(p);
                if (!ingressTaken.containsKey(k) && !hostTaken.containsKey(k) && !mine.contains(k)) {
                    port = candidate;
                }
            }
            if (port == 0) {
                throw Calls.conflict("publish: no free port in " + DYNAMIC_FIRST + "-" + DYNAMIC_LAST + " for target " + p.getTargetPort());
            }
            PortConfig given = p.toBuilder().setPublishedPort(port).build();
            mine.add(key(given));
            out.add(given);
        }
        return out;
    }

    public static String key(PortConfig p) {
        return p.getPublishedPort() + "/" + proto(p);
    }

    private static String proto(PortConfig p) {
        return p.getProtocol().name().toLowerCase();
    }
}
