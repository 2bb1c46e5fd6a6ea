package io.shoal.dockermodel;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shoal.api.Meta;
import io.shoal.api.NetworkAttachment;
import io.shoal.api.Service;
import io.shoal.api.UpdateStatus;

/** A service as docker's {@code GET /services/{id}} returns it. */
public final class ServiceJson {
    private ServiceJson() {}

    /** What {@code ?status=true} adds (API 1.41): tasks running, desired and completed. */
    public record Counts(long running, long desired, long completed) {}

    /**
     * @param ingressId the ingress network (left out of the spec's networks, as docker does); may be null
     * @param counts    null unless the caller asked for the service's status
     */
    public static ObjectNode write(Service s, String ingressId, Counts counts) {
        ObjectNode o = Json.object();
        o.put("ID", s.getId());
        meta(o, s.getMeta());
        o.set("Spec", ServiceSpecJson.write(s.getSpec(), ingressId));
        if (s.hasPreviousSpec()) {
            o.set("PreviousSpec", ServiceSpecJson.write(s.getPreviousSpec(), ingressId));
        }
        ObjectNode ep = o.putObject("Endpoint");
        ep.set("Spec", ServiceSpecJson.endpoint(s.getEndpoint().getSpec()));
        if (s.getEndpoint().getPortsCount() > 0) {
            ArrayNode ports = ep.putArray("Ports");
            s.getEndpoint().getPortsList().forEach(p -> ports.add(ServiceSpecJson.port(p)));
        }
        if (s.getEndpoint().getVirtualIpsCount() > 0) {
            ArrayNode vips = ep.putArray("VirtualIPs");
            for (NetworkAttachment v : s.getEndpoint().getVirtualIpsList()) {
                vips.addObject().put("NetworkID", v.getNetworkId()).put("Addr", v.getAddress());
            }
        }
        UpdateStatus u = s.getUpdateStatus();
        if (s.hasUpdateStatus() && u.getState() != UpdateStatus.State.UNKNOWN) {
            ObjectNode us = o.putObject("UpdateStatus");
            us.put("State", Names.updateState(u.getState()));
            us.put("StartedAt", Json.time(u.getStartedMs()));
            if (u.getCompletedMs() > 0) {
                us.put("CompletedAt", Json.time(u.getCompletedMs()));
            }
            us.put("Message", u.getMessage());
        }
        if (counts != null) {
            ObjectNode st = o.putObject("ServiceStatus");
            st.put("RunningTasks", counts.running()).put("DesiredTasks", counts.desired())
                    .put("CompletedTasks", counts.completed());
        }
        return o;
    }

    /** ID's neighbours every stored object has: Version, CreatedAt, UpdatedAt. */
    static void meta(ObjectNode o, Meta m) {
        o.putObject("Version").put("Index", m.getVersion());
        o.put("CreatedAt", Json.time(m.getCreatedMs()));
        o.put("UpdatedAt", Json.time(m.getUpdatedMs() > 0 ? m.getUpdatedMs() : m.getCreatedMs()));
    }
}
