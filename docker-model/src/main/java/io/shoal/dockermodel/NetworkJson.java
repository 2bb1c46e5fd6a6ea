package io.shoal.dockermodel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shoal.api.Annotations;
import io.shoal.api.IPAMConfig;
import io.shoal.api.Network;
import io.shoal.api.NetworkSpec;

import java.util.List;

/** An overlay network as docker's {@code GET /networks/{id}} returns it, and the body of a network create. */
public final class NetworkJson {
    static final String VXLAN_OPTION = "com.docker.network.driver.overlay.vxlanid_list";

    private NetworkJson() {}

    public static ObjectNode write(Network n) {
        NetworkSpec s = n.getSpec();
        ObjectNode o = Json.object();
        o.put("Name", s.getAnnotations().getName());
        o.put("Id", n.getId());
        o.put("Created", Json.time(n.getMeta().getCreatedMs()));
        o.put("Scope", "swarm");
        o.put("Driver", s.getDriver().isEmpty() ? "overlay" : s.getDriver());
        o.put("EnableIPv6", false);
        ObjectNode ipam = o.putObject("IPAM");
        ipam.put("Driver", "default");
        ipam.putNull("Options");
        ArrayNode cfg = ipam.putArray("Config");
        List<IPAMConfig> pools = n.getIpamCount() > 0 ? n.getIpamList() : s.getIpamList();
        for (IPAMConfig c : pools) {
            ObjectNode x = cfg.addObject().put("Subnet", c.getSubnet());
            if (!c.getGateway().isEmpty()) {
                x.put("Gateway", c.getGateway());
            }
        }
        o.put("Internal", s.getInternal());
        o.put("Attachable", s.getAttachable());
        o.put("Ingress", s.getIngress());
        o.putObject("ConfigFrom").put("Network", "");
        o.put("ConfigOnly", false);
        o.putObject("Containers");
        ObjectNode opts = o.putObject("Options");
        if (n.getVni() > 0) {
            opts.put(VXLAN_OPTION, Integer.toUnsignedString(n.getVni()));
        }
        if (s.getEncrypted()) {
            opts.put("encrypted", "");
        }
        o.set("Labels", Json.map(s.getAnnotations().getLabelsMap()));
        return o;
    }

    /** The body of {@code POST /networks/create}: only swarm-scoped overlay networks are Shoal's. */
    public static NetworkSpec readCreate(JsonNode body) {
        JsonReader r = JsonReader.of(body, "NetworkCreateRequest");
        String name = r.string("Name");
        if (name.isEmpty()) {
            throw new InvalidSpec("Name: a network needs a name");
        }
        String driver = r.string("Driver");
        if (!driver.isEmpty() && !driver.equals("overlay")) {
            throw new InvalidSpec("Driver: '" + driver + "' is not supported by Shoal (only overlay)");
        }
        String scope = r.string("Scope");
        if (!scope.isEmpty() && !scope.equals("swarm")) {
            throw new InvalidSpec("Scope: '" + scope + "' is not supported by Shoal (only swarm)");
        }
        r.bool("CheckDuplicate"); // Shoal always refuses a duplicate name
        NetworkSpec.Builder b = NetworkSpec.newBuilder()
                .setAnnotations(Annotations.newBuilder().setName(name).putAllLabels(r.map("Labels")))
                .setDriver("overlay")
                .setInternal(r.bool("Internal"))
                .setAttachable(r.bool("Attachable"))
                .setIngress(r.bool("Ingress"));
        for (String opt : r.map("Options").keySet()) {
            if (!opt.equals("encrypted")) {
                throw new InvalidSpec("Options." + opt + ": not supported by Shoal (only encrypted)");
            }
            b.setEncrypted(true); // as Docker: the option, whatever its value, turns encryption on
        }
        JsonReader ipam = r.object("IPAM");
        ipam.ignoring("Driver", "default");
        for (JsonReader c : ipam.objects("Config")) {
            b.addIpam(IPAMConfig.newBuilder().setSubnet(c.string("Subnet")).setGateway(c.string("Gateway")));
            c.done();
        }
        ipam.done();
        r.done();
        return b.build();
    }
}
