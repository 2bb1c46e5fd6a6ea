package io.shoal.net.nft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.shoal.net.nft.VipService.Protocol;
import java.util.List;
import org.junit.jupiter.api.Test;

class IngressRulesTest {
    static final IngressPort WEB = IngressPort.of("web", Protocol.TCP, 8080, 80, List.of("10.255.0.6", "10.255.0.5"));
    static final IngressPort DNS = IngressPort.of("dns", Protocol.UDP, 53, 5353, List.of("10.255.0.7"));

    @Test
    void hostTableSendsPublishedPortsOfLocalAddressesToTheSandbox() {
        assertEquals("""
                add table ip shoal_ingress
                delete table ip shoal_ingress
                add table ip shoal_ingress
                add map ip shoal_ingress published { type inet_proto . inet_service : verdict ; }
                add chain ip shoal_ingress prerouting { type nat hook prerouting priority dstnat ; policy accept ; }
                add rule ip shoal_ingress prerouting fib daddr type local meta l4proto . th dport vmap @published
                add chain ip shoal_ingress output { type nat hook output priority -100 ; policy accept ; }
                add rule ip shoal_ingress output ip daddr != 127.0.0.0/8 fib daddr type local meta l4proto . th dport vmap @published
                add chain ip shoal_ingress pub-tcp-8080
                add rule ip shoal_ingress pub-tcp-8080 meta l4proto tcp dnat to 169.254.231.2:8080
                add element ip shoal_ingress published { tcp . 8080 : goto pub-tcp-8080 }
                add chain ip shoal_ingress pub-udp-53
                add rule ip shoal_ingress pub-udp-53 meta l4proto udp dnat to 169.254.231.2:53
                add element ip shoal_ingress published { udp . 53 : goto pub-udp-53 }
                """, IngressRules.full(List.of(WEB, DNS), IngressRules.SANDBOX_ADDRESS, "10.255.0.2").get(0));
    }

    @Test
    void sandboxTableSpreadsOverTheTasksAndSourceNatsTowardsThem() {
        assertEquals("""
                add table ip shoal_ingress
                delete table ip shoal_ingress
                add table ip shoal_ingress
                add map ip shoal_ingress published { type inet_proto . inet_service : verdict ; }
                add chain ip shoal_ingress prerouting { type nat hook prerouting priority dstnat ; policy accept ; }
                add rule ip shoal_ingress prerouting ip daddr 169.254.231.2 meta l4proto . th dport vmap @published
                add chain ip shoal_ingress postrouting { type nat hook postrouting priority srcnat ; policy accept ; }
                add rule ip shoal_ingress postrouting oifname "br0" ct status dnat snat to 10.255.0.2
                add chain ip shoal_ingress ing-web-tcp-8080
                add rule ip shoal_ingress ing-web-tcp-8080 meta l4proto tcp dnat ip to numgen random mod 2 map { 0 : 10.255.0.5 . 80, 1 : 10.255.0.6 . 80 }
                add element ip shoal_ingress published { tcp . 8080 : goto ing-web-tcp-8080 }
                """, IngressRules.full(List.of(WEB), IngressRules.SANDBOX_ADDRESS, "10.255.0.2").get(1));
        String masq = IngressRules.full(List.of(), IngressRules.SANDBOX_ADDRESS, null).get(1);
        assertEquals("add rule ip shoal_ingress postrouting oifname \"br0\" ct status dnat masquerade",
                masq.lines().filter(l -> l.contains("postrouting oifname")).findFirst().orElseThrow());
    }

    @Test
    void aTaskChangeTouchesOnlyTheSandboxChainAndANewPortAddsOneElementEach() {
        var sb = IngressRules.sandboxLayout(IngressRules.TABLE, IngressRules.SANDBOX_ADDRESS, null);
        var host = IngressRules.hostLayout(IngressRules.TABLE);
        IngressPort web1 = IngressPort.of("web", Protocol.TCP, 8080, 80, List.of("10.255.0.5"));
        assertEquals("""
                flush chain ip shoal_ingress ing-web-tcp-8080
                add rule ip shoal_ingress ing-web-tcp-8080 meta l4proto tcp dnat to 10.255.0.5:80
                """, NatMaps.diff(sb, IngressRules.sandboxFrontends(List.of(WEB)), IngressRules.sandboxFrontends(List.of(web1)), true));
        assertEquals("", NatMaps.diff(host, IngressRules.hostFrontends(List.of(WEB), "169.254.231.2"),
                IngressRules.hostFrontends(List.of(web1), "169.254.231.2"), true));
        assertEquals("""
                create chain ip shoal_ingress pub-udp-53
                add rule ip shoal_ingress pub-udp-53 meta l4proto udp dnat to 169.254.231.2:53
                create element ip shoal_ingress published { udp . 53 : goto pub-udp-53 }
                """, NatMaps.diff(host, IngressRules.hostFrontends(List.of(WEB), "169.254.231.2"),
                IngressRules.hostFrontends(List.of(WEB, DNS), "169.254.231.2"), true));
    }
}
