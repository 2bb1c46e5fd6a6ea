package io.shoal.net.ipam;

/** IPv4 addresses as unsigned 32-bit values held in an {@code int}. */
public final class Ipv4 {
    private Ipv4() {}

    /** Parses dotted-quad text ("10.0.0.1"); refuses anything else with a one-line message. */
    public static int parse(String text) {
        if (text == null) {
            throw new IpamException("missing IPv4 address");
        }
        String[] parts = text.strip().split("\\.", -1);
        if (parts.length != 4) {
            throw new IpamException("'" + text + "' is not an IPv4 address (expected a.b.c.d)");
        }
        int value = 0;
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
                throw new IpamException("'" + text + "' is not an IPv4 address (expected a.b.c.d)");
            }
            int octet = Integer.parseInt(p);
            if (octet > 255) {
                throw new IpamException("'" + text + "' is not an IPv4 address (octet " + octet + " > 255)");
            }
            value = (value << 8) | octet;
        }
        return value;
    }

    public static String format(int address) {
        return ((address >>> 24) & 0xff) + "." + ((address >>> 16) & 0xff) + "." + ((address >>> 8) & 0xff) + "."
                + (address & 0xff);
    }

    /** Unsigned comparison, so that 200.0.0.0 sorts after 10.0.0.0. */
    public static int compare(int a, int b) {
        return Integer.compareUnsigned(a, b);
    }
}
