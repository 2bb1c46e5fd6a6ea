package io.shoal.net.dns;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Where names that are not ours go: the host's resolvers, as IP:port. */
public final class Upstreams {
    /** The default DNS port. */
    public static final int DNS_PORT = 53;
    private static final Path ETC_RESOLV_CONF = Path.of("/etc/resolv.conf");
    /** systemd-resolved's list of real upstreams, for hosts whose /etc/resolv.conf names its stub. */
    private static final Path SYSTEMD_RESOLV_CONF = Path.of("/run/systemd/resolve/resolv.conf");

    private Upstreams() {}

    /**
     * The host's resolvers: the {@code nameserver} lines of /etc/resolv.conf, or those of
     * systemd-resolved's upstream list when /etc/resolv.conf only names the loopback stub (which a
     * container's network namespace cannot reach). Empty if neither file names any.
     */
    public static List<InetSocketAddress> host() throws IOException {
        List<InetSocketAddress> etc = fromResolvConf(ETC_RESOLV_CONF);
        if (!etc.isEmpty() && etc.stream().allMatch(a -> a.getAddress().isLoopbackAddress())) {
            List<InetSocketAddress> resolved = fromResolvConf(SYSTEMD_RESOLV_CONF);
            if (!resolved.isEmpty()) {
                return resolved;
            }
        }
        return etc;
    }

    /** The {@code nameserver} lines of a resolv.conf file, port 53; empty if the file does not exist. */
    public static List<InetSocketAddress> fromResolvConf(Path file) throws IOException {
        try {
            return parseResolvConf(Files.readString(file));
        } catch (NoSuchFileException e) {
            return List.of();
        }
    }

    /**
     * The {@code nameserver} lines of resolv.conf text, in order, port 53. Comments ({@code #} or
     * {@code ;}) and malformed addresses are skipped, as the C library does.
     */
    public static List<InetSocketAddress> parseResolvConf(String text) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] words = line.strip().split("\\s+");
            if (words.length >= 2 && words[0].equals("nameserver")) {
                InetAddress address = literal(words[1]);
                if (address != null) {
                    out.add(new InetSocketAddress(address, DNS_PORT));
                }
            }
        }
        return List.copyOf(out);
    }

    /**
     * Parses {@code IP}, {@code IP:PORT}, {@code [IPv6]:PORT} or a bare IPv6 address; port 53 when
     * none is given. Never looks a name up.
     *
     * @throws IllegalArgumentException if it is not an address literal or the port is out of range
     */
    public static InetSocketAddress parse(String hostPort) {
        String s = hostPort.strip();
        String host = s;
        int port = DNS_PORT;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("unclosed '[' in upstream address '" + hostPort + "'");
            }
            host = s.substring(1, close);
            if (close + 1 < s.length()) {
                if (s.charAt(close + 1) != ':') {
                    throw new IllegalArgumentException("expected ':PORT' after ']' in '" + hostPort + "'");
                }
                port = port(hostPort, s.substring(close + 2));
            }
        } else if (s.indexOf(':') >= 0 && s.indexOf(':') == s.lastIndexOf(':')) {
            host = s.substring(0, s.indexOf(':'));
            port = port(hostPort, s.substring(s.indexOf(':') + 1));
        }
        InetAddress address = literal(host);
        if (address == null) {
            throw new IllegalArgumentException(
                    "upstream must be an IP address with an optional port, e.g. 10.0.0.2:53, not '" + hostPort + "'");
        }
        return new InetSocketAddress(address, port);
    }

    private static int port(String whole, String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("port must be 1-65535 in upstream address '" + whole + "'");
    }

    private static InetAddress literal(String text) {
        try {
            return InetAddress.ofLiteral(text.strip());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
