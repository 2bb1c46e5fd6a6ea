package io.shoal.node;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;

/** Parsing and choosing the IP:PORT addresses a node listens on and advertises. */
final class Addresses {
    static final int DEFAULT_PORT = 4242;

    private Addresses() {}

    record HostPort(String host, int port) {
        @Override
        public String toString() {
            return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /** Parses IP[:PORT]; the host must be an IP literal. {@code what} names the flag in errors. */
    static HostPort parse(String value, String what, int defaultPort) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(what + ": an address is required");
        }
        String host = value;
        int port = defaultPort;
        if (value.startsWith("[")) {
            int end = value.indexOf(']');
            if (end < 0) {
                throw new IllegalArgumentException(what + ": '" + value + "' is not IP[:PORT]");
            }
            host = value.substring(1, end);
            if (end + 1 < value.length()) {
                port = port(value.substring(end + 2), value, what);
            }
        } else if (value.indexOf(':') == value.lastIndexOf(':') && value.contains(":")) {
            host = value.substring(0, value.indexOf(':'));
            port = port(value.substring(value.indexOf(':') + 1), value, what);
        }
        if (!isIpLiteral(host)) {
            throw new IllegalArgumentException(what + ": '" + host + "' is not an IP address");
        }
        return new HostPort(host, port);
    }

    /**
     * The address other nodes reach this one at: {@code --advertise-addr} when given (its port
     * defaults to the listening one), else the listening address, else (listening on every
     * address) the first IPv4 address of an interface that is up, with the listening port.
     */
    static HostPort advertise(String requested, HostPort listen) {
        if (requested != null && !requested.isBlank()) {
            HostPort a = parse(requested, "--advertise-addr", listen.port());
            if (isUnspecified(a.host())) {
                throw new IllegalArgumentException("--advertise-addr: " + a.host() + " is not an address other nodes can reach");
            }
            return a;
        }
        if (!isUnspecified(listen.host())) {
            return listen;
        }
        return new HostPort(defaultIp(), listen.port());
    }

    private static int port(String p, String value, String what) {
        try {
            int v = Integer.parseInt(p);
            if (v < 1 || v > 65534) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + ": '" + value + "' has no valid port (1-65534)");
        }
    }

    static boolean isIpLiteral(String host) {
        if (host.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
            for (String part : host.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    return false;
                }
            }
            return true;
        }
        return host.contains(":") && host.matches("[0-9a-fA-F:.]+");
    }

    static boolean isUnspecified(String host) {
        return host.equals("0.0.0.0") || host.equals("::");
    }

    /** The first non-loopback IPv4 address of an interface that is up. */
    static String defaultIp() {
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nif.isUp() || nif.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                        return a.getHostAddress();
                    }
                }
            }
        } catch (SocketException e) {
            // fall through
        }
        throw new IllegalArgumentException("could not find an address to advertise: pass --advertise-addr IP");
    }
}
