package io.shoal.worker.exec.runc;

import io.shoal.api.DNSConfig;

import java.util.List;

/** The /etc/resolv.conf and /etc/hosts a container gets when the worker writes them. */
final class ContainerFiles {
    private ContainerFiles() {}

    /**
     * The node's resolver for the task's network first (it answers service names and forwards the
     * rest), then the spec's name servers; the spec's search domains and options. Null when there is
     * nothing to write (no network resolver, no DNS settings: the image's file stays).
     */
    static String resolvConf(String resolver, DNSConfig dns) {
        if (resolver == null && dns.getNameserversCount() == 0 && dns.getSearchCount() == 0 && dns.getOptionsCount() == 0) {
            return null;
        }
        StringBuilder b = new StringBuilder();
        if (resolver != null) {
            b.append("nameserver ").append(resolver).append('\n');
        }
        dns.getNameserversList().forEach(n -> b.append("nameserver ").append(n).append('\n'));
        if (dns.getSearchCount() > 0) {
            b.append("search ").append(String.join(" ", dns.getSearchList())).append('\n');
        }
        StringBuilder options = new StringBuilder(resolver != null ? "ndots:0" : "");
        dns.getOptionsList().forEach(o -> options.append(options.isEmpty() ? "" : " ").append(o));
        if (!options.isEmpty()) {
            b.append("options ").append(options).append('\n');
        }
        return b.toString();
    }

    /** localhost, the container's own hostname, and the spec's "IP name" lines. */
    static String hosts(String hostname, List<String> extra) {
        StringBuilder b = new StringBuilder("127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n");
        b.append("127.0.1.1\t").append(hostname).append('\n');
        extra.forEach(h -> b.append(h.replaceFirst(" ", "\t")).append('\n'));
        return b.toString();
    }
}
