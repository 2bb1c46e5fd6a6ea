package io.shoal.net.nft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.shoal.net.nft.VipService.Backend;
import io.shoal.net.nft.VipService.Protocol;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServiceRulesTest {
    static final Backend B7 = new Backend("10.0.0.7", 8080);
    static final Backend B8 = new Backend("10.0.0.8", 8080);
    static final Backend B9 = new Backend("10.0.0.9", 8080);

    static VipService web(Backend... b) {
        return new VipService("web", "10.0.0.2", Protocol.TCP, 80, List.of(b));
    }

    @Test
    void fullRulesetReplacesTheTableAndMapsEachVipPort() {
        String text = ServiceRules.full(List.of(web(B8, B7)));
        assertEquals("""
                add table ip shoal
                delete table ip shoal
                add table ip shoal
                add map ip shoal vips { type ipv4_addr . inet_proto . inet_service : verdict ; }
                add chain ip shoal prerouting { type nat hook prerouting priority dstnat ; policy accept ; }
                add rule ip shoal prerouting ip daddr . meta l4proto . th dport vmap @vips
                add chain ip shoal output { type nat hook output priority -100 ; policy accept ; }
                add rule ip shoal output ip daddr . meta l4proto . th dport vmap @vips
                add chain ip shoal svc-web-tcp-80-to-10.0.0.7-8080
                add rule ip shoal svc-web-tcp-80-to-10.0.0.7-8080 meta l4proto tcp dnat to 10.0.0.7:8080
                add chain ip shoal svc-web-tcp-80-to-10.0.0.8-8080
                add rule ip shoal svc-web-tcp-80-to-10.0.0.8-8080 meta l4proto tcp dnat to 10.0.0.8:8080
                add chain ip shoal svc-web-tcp-80
                add rule ip shoal svc-web-tcp-80 numgen random mod 2 vmap { 0 : goto svc-web-tcp-80-to-10.0.0.7-8080, 1 : goto svc-web-tcp-80-to-10.0.0.8-8080 }
                add element ip shoal vips { 10.0.0.2 . tcp . 80 : goto svc-web-tcp-80 }
                """, text);
    }

    @Test
    void noChangeMeansAnEmptyTransaction() {
        assertEquals("", ServiceRules.diff(List.of(web(B7, B8)), List.of(web(B8, B7))));
    }

    @Test
    void endpointChangeTouchesOnlyThatService() {
        VipService dns = new VipService("dns", "10.0.0.3", Protocol.UDP, 53, List.of(new Backend("10.0.0.5", 53)));
        String text = ServiceRules.diff(List.of(web(B7, B8), dns), List.of(web(B7, B9), dns));
        assertEquals("""
                add chain ip shoal svc-web-tcp-80-to-10.0.0.9-8080
                add rule ip shoal svc-web-tcp-80-to-10.0.0.9-8080 meta l4proto tcp dnat to 10.0.0.9:8080
                flush chain ip shoal svc-web-tcp-80
                add rule ip shoal svc-web-tcp-80 numgen random mod 2 vmap { 0 : goto svc-web-tcp-80-to-10.0.0.7-8080, 1 : goto svc-web-tcp-80-to-10.0.0.9-8080 }
                flush chain ip shoal svc-web-tcp-80-to-10.0.0.8-8080
                delete chain ip shoal svc-web-tcp-80-to-10.0.0.8-8080
                """, text);
    }

    @Test
    void removingAServiceDeletesItsElementAndChains() {
        String text = ServiceRules.diff(List.of(web(B7)), List.of());
        assertEquals("""
                delete element ip shoal vips { 10.0.0.2 . tcp . 80 }
                flush chain ip shoal svc-web-tcp-80
                delete chain ip shoal svc-web-tcp-80
                flush chain ip shoal svc-web-tcp-80-to-10.0.0.7-8080
                delete chain ip shoal svc-web-tcp-80-to-10.0.0.7-8080
                """, text);
        assertTrue(!text.contains("flush table") && !text.contains("delete table"));
    }

    @Test
    void serviceWithoutEndpointsHasAnEmptyChain() {
        String text = ServiceRules.diff(List.of(), List.of(web()));
        assertEquals("""
                add chain ip shoal svc-web-tcp-80
                add element ip shoal vips { 10.0.0.2 . tcp . 80 : goto svc-web-tcp-80 }
                """, text);
        assertEquals("flush chain ip shoal svc-web-tcp-80\n"
                        + "add rule ip shoal svc-web-tcp-80 numgen random mod 1 vmap { 0 : goto svc-web-tcp-80-to-10.0.0.7-8080 }\n",
                ServiceRules.diff(List.of(web()), List.of(web(B7))).lines().skip(2).map(l -> l + "\n")
                        .reduce("", String::concat));
    }

    @Test
    void twoServicesOnOneVipPortAreRefused() {
        VipService other = new VipService("api", "10.0.0.2", Protocol.TCP, 80, List.of());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServiceRules.full(List.of(web(B7), other)));
        assertEquals("services web and api both claim 10.0.0.2 . tcp . 80", e.getMessage());
    }

    @Test
    void serviceIdsAreSanitisedIntoChainNames() {
        VipService s = new VipService("my-svc.1", "10.0.0.4", Protocol.UDP, 53, List.of());
        assertEquals("svc-my_svc_1-udp-53", ServiceRules.serviceChain(s));
    }
}
