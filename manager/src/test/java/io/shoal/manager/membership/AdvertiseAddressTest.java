package io.shoal.manager.membership;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdvertiseAddressTest {
    @Test
    void anIpAndAPortAreAnAddress() {
        assertEquals("10.0.0.7", AdvertiseAddress.ip("10.0.0.7:4242"));
        assertEquals("fe80::1", AdvertiseAddress.ip("[fe80::1]:4242"));
        assertEquals("127.0.0.1", AdvertiseAddress.ip("127.0.0.1:65535"));
    }

    @Test
    void anythingElseIsRefusedWithOneLine() {
        // "fe80::1" reached the CA as "fe80:" and a worker's certificate renewal failed with an
        // INTERNAL error (found by the Control API fuzz test): refused where it comes in
        for (String bad : List.of("fe80::1", "fe80::1:4242", "[fe80::1]", "[fe80::1]:0", "10.0.0.7", "10.0.0.7:", "10.0.0.7:70000",
                "10.0.0.7:-1", "10.1:4242", "300.1.1.1:4242", "host:4242", ":4242", "10.0.0.7:42:42", "[not-an-ip]:1",
                "a\nb:1", "x".repeat(1000) + ":1")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> AdvertiseAddress.ip(bad), bad);
            assertTrue(e.getMessage().startsWith("advertise address \"") && e.getMessage().endsWith("\" is not IP:PORT or [IPv6]:PORT"),
                    e.getMessage());
            assertTrue(e.getMessage().length() < 200, e.getMessage());
        }
    }
}
