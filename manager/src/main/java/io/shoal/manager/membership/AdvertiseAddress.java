package io.shoal.manager.membership;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * A node's advertise address, {@code IP:PORT} or {@code [IPv6]:PORT}, as a joining node and a
 * worker's session give it: checked before it is stored, since other nodes dial it and the CA
 * writes its IP into the node's certificates. A name is no address here: certificates name IPs.
 */
public final class AdvertiseAddress {
    private AdvertiseAddress() {}

    /**
     * The IP of {@code addr}.
     *
     * @throws IllegalArgumentException (one line) when it is not an IP literal with a port 1-65535
     */
    public static String ip(String addr) {
        String host;
        String port;
        if (addr.startsWith("[")) {
            int end = addr.indexOf("]:");
            if (end < 0) {
                throw invalid(addr);
            }
            host = addr.substring(1, end);
            port = addr.substring(end + 2);
        } else {
            int colon = addr.lastIndexOf(':');
            if (colon <= 0 || addr.indexOf(':') != colon) {
                throw invalid(addr);
            }
            host = addr.substring(0, colon);
            port = addr.substring(colon + 1);
        }
        if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65535) {
            throw invalid(addr);
        }
        InetAddress ip;
        try {
            ip = InetAddress.ofLiteral(host);
        } catch (IllegalArgumentException e) {
            throw invalid(addr);
        }
        // IPv4 as four numbers (Java also reads "10.1"; other readers may not), IPv6 in brackets
        if (ip instanceof Inet4Address ? !host.matches("\\d{1,3}(\\.\\d{1,3}){3}") : !addr.startsWith("[")) {
            throw invalid(addr);
        }
        return host;
    }

    private static IllegalArgumentException invalid(String addr) {
        String shown = addr.length() > 64 ? addr.substring(0, 64) + "…" : addr;
        return new IllegalArgumentException("advertise address \"" + shown + "\" is not IP:PORT or [IPv6]:PORT");
    }
}
