package io.shoal.net.nft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shoal.net.nft.NatMaps.Frontend;
import io.shoal.net.nft.VipService.Backend;
import io.shoal.net.nft.VipService.Protocol;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ServiceRulesTest {
    static final Backend B7 = new Backend("10.0.0.7", 8080);
    static final Backend B8 = new Backend("10.0.0.8", 8080);
    static final Backend B9 = new Backend("10.0.0.9", 8080);

    static VipService web(Backend... b) {
        return new VipService("web", "10.0.0.2", Protocol.TCP, 80, List.of(b));
    }

    static VipService all(String... ips) {
        return VipService.allPorts("api", "10.0.0.3", List.of(ips));
    }

    @Test
    void fullRulesetReplacesTheTableAndMapsEachVipPort() {
        String text = ServiceRules.full(List.of(web(B8, B7), all("10.0.0.5")));
        assertEquals("""
                add table ip shoal
                delete table ip shoal
                add table ip shoal
                add map ip shoal vips { type ipv4_addr . inet_proto . inet_service : verdict ; }
                add map ip shoal vip_all { type ipv4_addr : verdict ; }
                add chain ip shoal prerouting { type nat hook prerouting priority dstnat ; policy accept ; }
                add rule ip shoal prerouting ip daddr . meta l4proto . th dport vmap @vips
                add rule ip shoal prerouting ip daddr vmap @vip_all
                add chain ip shoal output { type nat hook output priority -100 ; policy accept ; }
                add rule ip shoal output ip daddr . meta l4proto . th dport vmap @vips
                add rule ip shoal output ip daddr vmap @vip_all
                add chain ip shoal svc-api-10.0.0.3
                add rule ip shoal svc-api-10.0.0.3 dnat to 10.0.0.5
                add element ip shoal vip_all { 10.0.0.3 : goto svc-api-10.0.0.3 }
                add chain ip shoal svc-web-10.0.0.2-tcp-80
                add rule ip shoal svc-web-10.0.0.2-tcp-80 meta l4proto tcp dnat ip to numgen random mod 2 map { 0 : 10.0.0.7 . 8080, 1 : 10.0.0.8 . 8080 }
                add element ip shoal vips { 10.0.0.2 . tcp . 80 : goto svc-web-10.0.0.2-tcp-80 }
                """, text);
    }

    @Test
    void noChangeMeansAnEmptyTransaction() {
        assertEquals("", ServiceRules.diff(List.of(web(B7, B8), all("10.0.0.5", "10.0.0.6")),
                List.of(all("10.0.0.6", "10.0.0.5"), web(B8, B7))));
    }

    @Test
    void endpointChangeRewritesOnlyThatServicesChain() {
        VipService dns = new VipService("dns", "10.0.0.3", Protocol.UDP, 53, List.of(new Backend("10.0.0.5", 53)));
        String text = ServiceRules.diff(List.of(web(B7, B8), dns), List.of(web(B7, B9), dns));
        assertEquals("""
                flush chain ip shoal svc-web-10.0.0.2-tcp-80
                add rule ip shoal svc-web-10.0.0.2-tcp-80 meta l4proto tcp dnat ip to numgen random mod 2 map { 0 : 10.0.0.7 . 8080, 1 : 10.0.0.9 . 8080 }
                """, text);
    }

    @Test
    void allPortsServiceKeepsThePort() {
        assertEquals("""
                flush chain ip shoal svc-api-10.0.0.3
                add rule ip shoal svc-api-10.0.0.3 dnat to numgen random mod 2 map { 0 : 10.0.0.5, 1 : 10.0.0.6 }
                """, ServiceRules.diff(List.of(all("10.0.0.5")), List.of(all("10.0.0.6", "10.0.0.5"))));
        assertThrows(IllegalArgumentException.class, () -> new VipService("x", "10.0.0.3", null, 80, List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> new VipService("x", "10.0.0.3", null, 0, List.of(new Backend("10.0.0.5", 80))));
    }

    @Test
    void removingAServiceDeletesItsElementAndChain() {
        String text = ServiceRules.diff(List.of(web(B7), all("10.0.0.5")), List.of(all("10.0.0.5")));
        assertEquals("""
                delete element ip shoal vips { 10.0.0.2 . tcp . 80 }
                flush chain ip shoal svc-web-10.0.0.2-tcp-80
                delete chain ip shoal svc-web-10.0.0.2-tcp-80
                """, text);
        assertFalse(text.contains("flush table") || text.contains("delete table"));
    }

    @Test
    void serviceWithoutEndpointsHasAnEmptyChain() {
        assertEquals("""
                add chain ip shoal svc-web-10.0.0.2-tcp-80
                add element ip shoal vips { 10.0.0.2 . tcp . 80 : goto svc-web-10.0.0.2-tcp-80 }
                """, ServiceRules.diff(List.of(), List.of(web())));
        assertEquals("flush chain ip shoal svc-web-10.0.0.2-tcp-80\n", ServiceRules.diff(List.of(web(B7)), List.of(web())));
    }

    @Test
    void strictDiffsCreateSoThatSurprisesFailTheTransaction() {
        var layout = ServiceRules.layout("ip shoal_vip");
        String text = NatMaps.diff(layout, ServiceRules.frontends(List.of(web(B7))),
                ServiceRules.frontends(List.of(all("10.0.0.5"))), true);
        assertEquals("""
                delete element ip shoal_vip vips { 10.0.0.2 . tcp . 80 }
                flush chain ip shoal_vip svc-web-10.0.0.2-tcp-80
                delete chain ip shoal_vip svc-web-10.0.0.2-tcp-80
                create chain ip shoal_vip svc-api-10.0.0.3
                add rule ip shoal_vip svc-api-10.0.0.3 dnat to 10.0.0.5
                create element ip shoal_vip vip_all { 10.0.0.3 : goto svc-api-10.0.0.3 }
                """, text);
    }

    @Test
    void twoServicesOnOneVipPortAreRefused() {
        VipService other = new VipService("api", "10.0.0.2", Protocol.TCP, 80, List.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServiceRules.full(List.of(web(B7), other)));
        assertEquals("both svc-web-10.0.0.2-tcp-80 and svc-api-10.0.0.2-tcp-80 claim 10.0.0.2 . tcp . 80", e.getMessage());
    }

    @Test
    void serviceIdsAreSanitisedIntoChainNames() {
        VipService s = new VipService("my-svc.1", "10.0.0.4", Protocol.UDP, 53, List.of());
        assertEquals("svc-my_svc_1-10.0.0.4-udp-53", ServiceRules.serviceChain(s));
    }

    @Test
    void aListingParsesBackIntoTheFingerprintOfWhatWasApplied() {
        var layout = ServiceRules.layout("ip shoal_vip");
        List<Frontend> fs = ServiceRules.frontends(List.of(web(B7, B8), all("10.0.0.5"), new VipService("dns", "10.0.0.9", Protocol.UDP, 53, List.of())));
        String listing = """
                table ip shoal_vip {
                	map vips {
                		type ipv4_addr . inet_proto . inet_service : verdict
                		elements = { 10.0.0.9 . udp . 53 : goto svc-dns-10.0.0.9-udp-53,
                			     10.0.0.2 . tcp . 80 : goto svc-web-10.0.0.2-tcp-80 }
                	}

                	map vip_all {
                		type ipv4_addr : verdict
                		elements = { 10.0.0.3 : goto svc-api-10.0.0.3 }
                	}

                	chain prerouting {
                		type nat hook prerouting priority dstnat; policy accept;
                		ip daddr . meta l4proto . th dport vmap @vips
                		ip daddr vmap @vip_all
                	}

                	chain output {
                		type nat hook output priority -100; policy accept;
                		ip daddr . meta l4proto . th dport vmap @vips
                		ip daddr vmap @vip_all
                	}

                	chain svc-web-10.0.0.2-tcp-80 {
                		meta l4proto tcp dnat ip to numgen random mod 2 map { 0 : 10.0.0.7 . 8080, 1 : 10.0.0.8 . 8080 }
                	}

                	chain svc-api-10.0.0.3 {
                		dnat to 10.0.0.5
                	}

                	chain svc-dns-10.0.0.9-udp-53 {
                	}
                }
                """;
        var parsed = NatMaps.parse(listing, Set.of("prerouting", "output"));
        assertEquals(NatMaps.fingerprint(layout, fs), parsed);
        assertTrue(parsed.chains().contains("svc-dns-10.0.0.9-udp-53"));
        var other = NatMaps.fingerprint(layout, ServiceRules.frontends(List.of(web(B7))));
        assertFalse(other.equals(parsed));
    }
}
