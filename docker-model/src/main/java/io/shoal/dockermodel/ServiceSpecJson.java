package io.shoal.dockermodel;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shoal.api.Annotations;
import io.shoal.api.EndpointSpec;
import io.shoal.api.GlobalJob;
import io.shoal.api.GlobalService;
import io.shoal.api.NetworkAttachmentConfig;
import io.shoal.api.PortConfig;
import io.shoal.api.ReplicatedJob;
import io.shoal.api.ReplicatedService;
import io.shoal.api.ServiceSpec;
import io.shoal.api.TaskSpec;
import io.shoal.api.UpdateConfig;

import java.util.Locale;

/** A service spec both ways: docker's {@code ServiceSpec} and Shoal's. */
public final class ServiceSpecJson {
    private ServiceSpecJson() {}

    // ------------------------------------------------------------------ Shoal -> docker

    public static ObjectNode write(ServiceSpec s, String ingressId) {
        ObjectNode o = Json.object();
        o.put("Name", s.getAnnotations().getName());
        o.set("Labels", Json.map(s.getAnnotations().getLabelsMap()));
        o.set("TaskTemplate", TaskSpecJson.write(s.getTask(), ingressId));
        ObjectNode mode = o.putObject("Mode");
        switch (s.getModeCase()) {
            case GLOBAL -> mode.putObject("Global");
            case REPLICATED_JOB -> mode.putObject("ReplicatedJob")
                    .put("MaxConcurrent", s.getReplicatedJob().getMaxConcurrent())
                    .put("TotalCompletions", s.getReplicatedJob().getTotalCompletions());
            case GLOBAL_JOB -> mode.putObject("GlobalJob");
            default -> mode.putObject("Replicated").put("Replicas", s.getReplicated().getReplicas());
        }
        if (s.hasUpdate()) {
            o.set("UpdateConfig", update(s.getUpdate()));
        }
        if (s.hasRollback()) {
            o.set("RollbackConfig", update(s.getRollback()));
        }
        o.set("EndpointSpec", endpoint(s.getEndpoint()));
        return o;
    }

    private static ObjectNode update(UpdateConfig u) {
        ObjectNode o = Json.object();
        o.put("Parallelism", u.getParallelism());
        if (u.getDelayMs() > 0) {
            o.put("Delay", Json.nanos(u.getDelayMs()));
        }
        o.put("FailureAction", u.getFailureAction().name().toLowerCase(Locale.ROOT));
        if (u.getMonitorMs() > 0) {
            o.put("Monitor", Json.nanos(u.getMonitorMs()));
        }
        o.put("MaxFailureRatio", u.getMaxFailureRatio());
        o.put("Order", u.getOrder() == UpdateConfig.Order.START_FIRST ? "start-first" : "stop-first");
        return o;
    }

    public static ObjectNode endpoint(EndpointSpec e) {
        ObjectNode o = Json.object();
        o.put("Mode", e.getMode() == EndpointSpec.ResolutionMode.DNSRR ? "dnsrr" : "vip");
        if (e.getPortsCount() > 0) {
            ArrayNode a = o.putArray("Ports");
            e.getPortsList().forEach(p -> a.add(port(p)));
        }
        return o;
    }

    public static ObjectNode port(PortConfig p) {
        ObjectNode o = Json.object();
        if (!p.getName().isEmpty()) {
            o.put("Name", p.getName());
        }
        o.put("Protocol", p.getProtocol().name().toLowerCase(Locale.ROOT));
        o.put("TargetPort", p.getTargetPort());
        o.put("PublishedPort", p.getPublishedPort());
        o.put("PublishMode", p.getPublishMode().name().toLowerCase(Locale.ROOT));
        return o;
    }

    // ------------------------------------------------------------------ docker -> Shoal

    /** Reads a service spec as docker's clients post it (create, or update). */
    public static ServiceSpec read(JsonNode body) {
        JsonReader r = JsonReader.of(body, "ServiceSpec");
        ServiceSpec.Builder b = ServiceSpec.newBuilder();
        b.setAnnotations(Annotations.newBuilder().setName(r.string("Name")).putAllLabels(r.map("Labels")));
        TaskSpec task = TaskSpecJson.read(r.object("TaskTemplate"));
        // the service-level Networks field is docker's deprecated form of TaskTemplate.Networks
        TaskSpec.Builder tb = task.toBuilder();
        for (JsonReader n : r.objects("Networks")) {
            tb.addNetworks(NetworkAttachmentConfig.newBuilder().setTarget(n.string("Target")).addAllAliases(n.strings("Aliases")));
            n.done();
        }
        b.setTask(tb);
        mode(r.object("Mode"), b);
        if (r.present("UpdateConfig")) {
            b.setUpdate(update(r.object("UpdateConfig"), true));
        }
        if (r.present("RollbackConfig")) {
            b.setRollback(update(r.object("RollbackConfig"), false));
        }
        b.setEndpoint(endpoint(r.object("EndpointSpec")));
        r.done();
        return b.build();
    }

    private static void mode(JsonReader m, ServiceSpec.Builder b) {
        int modes = 0;
        if (m.present("Replicated")) {
            JsonReader x = m.object("Replicated");
            b.setReplicated(ReplicatedService.newBuilder().setReplicas(x.present("Replicas") ? x.count("Replicas") : 1));
            x.done();
            modes++;
        }
        if (m.present("Global")) {
            m.object("Global").done();
            b.setGlobal(GlobalService.getDefaultInstance());
            modes++;
        }
        if (m.present("ReplicatedJob")) {
            JsonReader x = m.object("ReplicatedJob");
            long total = x.present("TotalCompletions") ? x.count("TotalCompletions") : 1;
            long max = x.present("MaxConcurrent") ? x.count("MaxConcurrent") : 1;
            b.setReplicatedJob(ReplicatedJob.newBuilder().setTotalCompletions(total).setMaxConcurrent(max));
            x.done();
            modes++;
        }
        if (m.present("GlobalJob")) {
            m.object("GlobalJob").done();
            b.setGlobalJob(GlobalJob.getDefaultInstance());
            modes++;
        }
        if (modes > 1) {
            throw new InvalidSpec("Mode: a service has exactly one of Replicated, Global, ReplicatedJob, GlobalJob");
        }
        // docker-java also writes the mode's name ("mode": "REPLICATED"), which dockerd ignores;
        // it is accepted when it names the mode given
        String named = m.string("mode").replace("_", "").replace("-", "");
        String given = b.getModeCase() == ServiceSpec.ModeCase.MODE_NOT_SET ? "REPLICATED" : b.getModeCase().name().replace("_", "");
        if (!named.isEmpty() && !named.equalsIgnoreCase(given)) {
            throw new InvalidSpec(m.path("mode") + ": '" + named + "' is not the mode the spec gives");
        }
        m.done();
    }

    private static UpdateConfig update(JsonReader u, boolean update) {
        UpdateConfig.Builder b = UpdateConfig.newBuilder()
                .setParallelism(u.count("Parallelism"))
                .setDelayMs(Json.millis(u.count("Delay")))
                .setMaxFailureRatio((float) u.decimal("MaxFailureRatio"));
        long monitor = Json.millis(u.count("Monitor"));
        if (monitor > 0) {
            b.setMonitorMs(monitor); // docker's 0 is the default monitor (5 s), which an unset one means here
        }
        String fa = u.string("FailureAction");
        b.setFailureAction(switch (fa) {
            case "", "pause" -> UpdateConfig.FailureAction.PAUSE;
            case "continue" -> UpdateConfig.FailureAction.CONTINUE;
            case "rollback" -> {
                if (!update) {
                    throw new InvalidSpec(u.path("FailureAction") + ": a rollback cannot fail by rolling back (pause or continue)");
                }
                yield UpdateConfig.FailureAction.ROLLBACK;
            }
            default -> throw new InvalidSpec(u.path("FailureAction") + ": '" + fa + "' is not one of pause, continue"
                    + (update ? ", rollback" : ""));
        });
        String order = u.string("Order");
        b.setOrder(switch (order) {
            case "", "stop-first" -> UpdateConfig.Order.STOP_FIRST;
            case "start-first" -> UpdateConfig.Order.START_FIRST;
            default -> throw new InvalidSpec(u.path("Order") + ": '" + order + "' is not one of stop-first, start-first");
        });
        u.done();
        return b.build();
    }

    private static EndpointSpec endpoint(JsonReader e) {
        EndpointSpec.Builder b = EndpointSpec.newBuilder();
        String mode = e.string("Mode");
        b.setMode(switch (mode) {
            case "", "vip" -> EndpointSpec.ResolutionMode.VIP;
            case "dnsrr" -> EndpointSpec.ResolutionMode.DNSRR;
            default -> throw new InvalidSpec(e.path("Mode") + ": '" + mode + "' is not one of vip, dnsrr");
        });
        for (JsonReader p : e.objects("Ports")) {
            b.addPorts(port(p));
        }
        e.done();
        return b.build();
    }

    private static PortConfig port(JsonReader p) {
        PortConfig.Builder b = PortConfig.newBuilder().setName(p.string("Name"));
        String proto = p.string("Protocol");
        b.setProtocol(switch (proto) {
            case "", "tcp" -> PortConfig.Protocol.TCP;
            case "udp" -> PortConfig.Protocol.UDP;
            case "sctp" -> PortConfig.Protocol.SCTP;
            default -> throw new InvalidSpec(p.path("Protocol") + ": '" + proto + "' is not one of tcp, udp, sctp");
        });
        long target = p.count("TargetPort");
        long published = p.count("PublishedPort");
        if (target == 0 || target > 65535) {
            throw new InvalidSpec(p.path("TargetPort") + ": " + target + " is not a port (1-65535)");
        }
        if (published > 65535) {
            throw new InvalidSpec(p.path("PublishedPort") + ": " + published + " is not a port (1-65535)");
        }
        b.setTargetPort((int) target).setPublishedPort((int) published);
        String mode = p.string("PublishMode");
        b.setPublishMode(switch (mode) {
            case "", "ingress" -> PortConfig.PublishMode.INGRESS;
            case "host" -> PortConfig.PublishMode.HOST;
            default -> throw new InvalidSpec(p.path("PublishMode") + ": '" + mode + "' is not one of ingress, host");
        });
        p.done();
        return b.build();
    }
}
