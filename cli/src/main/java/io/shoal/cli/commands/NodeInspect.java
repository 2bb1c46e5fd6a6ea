package io.shoal.cli.commands;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.shoal.api.GetNodeRequest;
import io.shoal.api.NodeTLSInfo;
import io.shoal.api.NodeView;
import io.shoal.cli.output.InspectFormat;
import io.shoal.dockermodel.Json;
import io.shoal.dockermodel.NodeJson;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** {@code node inspect}: nodes in Docker's JSON shape, a template's output, or {@code --pretty} text; {@code self} is this node. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show nodes in detail: Docker's JSON shape (default), a Go template (--format), or text for people (--pretty). "
                + "'self' is the node this daemon runs.")
final class NodeInspect extends ClientCommand {
    @Option(names = {"-f", "--format"}, paramLabel = "FORMAT",
            description = "json (default), or a Go template run on each node, e.g. '{{.Status.State}}'.")
    String format = "";
    @Option(names = "--pretty", description = "Print the information in a human friendly format.") boolean pretty;
    @Parameters(arity = "1..*", paramLabel = "NODE") List<String> refs;

    @Override
    protected int execute() {
        if (pretty && !format.isEmpty()) {
            throw usage("--format is incompatible with --pretty");
        }
        InspectFormat f = InspectFormat.parse(format);
        List<ObjectNode> out = new ArrayList<>();
        for (String ref : refs) {
            NodeView v = control().getNode(GetNodeRequest.newBuilder().setNode(node(ref)).build());
            ObjectNode n = NodeJson.write(v);
            // Shoal's own, kept from before the Docker shape: the OCI runtimes the node offers and
            // the store format its daemon writes (rolling upgrades)
            if (n.path("Description").path("Engine") instanceof ObjectNode engine) {
                engine.set("Runtimes", Json.strings(v.getNode().getDescription().getRuntimesList()));
                engine.put("StoreFormat", v.getNode().getDescription().getStoreFormat());
            }
            // docker's TLSInfo names the issuer; Shoal adds the certificate's validity and TLS STATUS
            if (n.path("Description") instanceof ObjectNode description && v.getNode().hasTlsInfo()) {
                NodeTLSInfo t = v.getNode().getTlsInfo();
                ObjectNode tls = description.putObject("TLSInfo");
                tls.put("CertIssuerSubject", t.getCertIssuerSubject());
                tls.put("CertNotBefore", Instant.ofEpochMilli(t.getCertNotBeforeMs()).toString());
                tls.put("CertNotAfter", Instant.ofEpochMilli(t.getCertNotAfterMs()).toString());
                tls.put("TLSStatus", v.getTlsStatus());
            }
            out.add(n);
        }
        if (pretty) {
            out.forEach(n -> out().print(NodePretty.text(n)));
            out().flush();
        } else {
            f.print(out(), out);
        }
        return 0;
    }
}
