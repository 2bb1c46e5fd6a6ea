package io.shoal.net.ipam;

/**
 * An IPv4 prefix such as 10.0.1.0/24. The base address has no host bits set.
 *
 * @param base   the network address
 * @param prefix the prefix length, 0..32
 */
public record Cidr(int base, int prefix) implements Comparable<Cidr> {
    public Cidr {
        if (prefix < 0 || prefix > 32) {
            throw new IpamException("prefix length /" + prefix + " is out of range (0..32)");
        }
        if ((base & ~mask(prefix)) != 0) {
            throw new IpamException(Ipv4.format(base) + "/" + prefix + " has host bits set; did you mean "
                    + Ipv4.format(base & mask(prefix)) + "/" + prefix + "?");
        }
    }

    /** Parses "a.b.c.d/n"; host bits must be zero. */
    public static Cidr parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IpamException("missing subnet (expected a.b.c.d/n)");
        }
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IpamException("'" + text + "' is not a subnet (expected a.b.c.d/n)");
        }
        String len = text.substring(slash + 1).strip();
        if (len.isEmpty() || len.length() > 2 || !len.chars().allMatch(Character::isDigit)) {
            throw new IpamException("'" + text + "' is not a subnet (prefix length must be 0..32)");
        }
        int base;
        try {
            base = Ipv4.parse(text.substring(0, slash));
        } catch (IpamException e) {
            throw new IpamException("'" + text + "' is not a subnet (expected a.b.c.d/n with octets 0..255)");
        }
        return new Cidr(base, Integer.parseInt(len));
    }

    static int mask(int prefix) {
        return prefix == 0 ? 0 : -1 << (32 - prefix);
    }

    /** Number of addresses, including network and broadcast. */
    public long size() {
        return 1L << (32 - prefix);
    }

    public int last() {
        return base | ~mask(prefix);
    }

    /** The first host address: the gateway by default. */
    public int firstHost() {
        return base + 1;
    }

    /** The last host address (the one before broadcast). */
    public int lastHost() {
        return last() - 1;
    }

    public boolean contains(int address) {
        return (address & mask(prefix)) == base;
    }

    public boolean overlaps(Cidr other) {
        int p = Math.min(prefix, other.prefix);
        return (base & mask(p)) == (other.base & mask(p));
    }

    /** The netmask's prefix in dotted form is rarely wanted; this is "a.b.c.d/n". */
    @Override
    public String toString() {
        return Ipv4.format(base) + "/" + prefix;
    }

    @Override
    public int compareTo(Cidr o) {
        int c = Ipv4.compare(base, o.base);
        return c != 0 ? c : Integer.compare(prefix, o.prefix);
    }
}
