package io.shoal.net.ipam;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CidrTest {
    @Test
    void parsesAndFormats() {
        Cidr c = Cidr.parse("10.1.2.0/24");
        assertEquals("10.1.2.0/24", c.toString());
        assertEquals(256, c.size());
        assertEquals("10.1.2.1", Ipv4.format(c.firstHost()));
        assertEquals("10.1.2.254", Ipv4.format(c.lastHost()));
        assertEquals("10.1.2.255", Ipv4.format(c.last()));
        assertTrue(c.contains(Ipv4.parse("10.1.2.77")));
        assertFalse(c.contains(Ipv4.parse("10.1.3.0")));
    }

    @Test
    void handlesHighAddressesUnsigned() {
        Cidr c = Cidr.parse("200.0.0.0/8");
        assertEquals("200.255.255.255", Ipv4.format(c.last()));
        assertTrue(c.contains(Ipv4.parse("200.1.2.3")));
        assertTrue(Ipv4.compare(Ipv4.parse("200.0.0.0"), Ipv4.parse("10.0.0.0")) > 0);
        assertEquals("0.0.0.0/0", Cidr.parse("0.0.0.0/0").toString());
    }

    @Test
    void overlaps() {
        assertTrue(Cidr.parse("10.0.0.0/8").overlaps(Cidr.parse("10.3.0.0/16")));
        assertTrue(Cidr.parse("10.3.0.0/16").overlaps(Cidr.parse("10.0.0.0/8")));
        assertFalse(Cidr.parse("10.0.0.0/24").overlaps(Cidr.parse("10.0.1.0/24")));
    }

    @Test
    void hostBitsAreNamed() {
        IpamException e = assertThrows(IpamException.class, () -> Cidr.parse("10.0.0.1/24"));
        assertEquals("10.0.0.1/24 has host bits set; did you mean 10.0.0.0/24?", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0", "10.0.0/24", "10.0.0.0/33", "10.0.0.256/24", "a.b.c.d/8", "10.0.0.0/", "::1/64"})
    void refusesNonsense(String text) {
        IpamException e = assertThrows(IpamException.class, () -> Cidr.parse(text));
        assertTrue(e.getMessage().contains(text) || e.getMessage().contains("/33"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }
}
