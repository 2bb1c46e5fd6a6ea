package io.shoal.engineapi;

import com.fasterxml.jackson.databind.JsonNode;
import io.shoal.api.NodeRole;
import io.shoal.dockermodel.Json;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP side against a scripted cluster: versioned paths and negotiation, error bodies and
 * their status codes, a worker's answers, and docker's multiplexed log framing.
 */
class EngineApiTest {
    private FakeCluster cluster;
    private EngineApiServer server;
    private String base;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void start() throws IOException {
        cluster = new FakeCluster();
        server = new EngineApiServer(EngineApi.router(new Backend(cluster.channel, "test", System::nanoTime)));
        server.listenTcp(new InetSocketAddress("127.0.0.1", 0), null, Authorizer.ANYONE);
        base = "http://127.0.0.1:" + server.tcpAddress(0).getPort();
    }

    @AfterEach
    void stop() {
        server.close();
        cluster.close();
    }

    private HttpResponse<byte[]> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static JsonNode json(HttpResponse<byte[]> r) {
        return Json.parse(r.body());
    }

    @Test
    void pingNegotiatesTheVersionAndSaysWhatTheNodeIs() throws Exception {
        HttpResponse<byte[]> r = send("GET", "/_ping", null);
        assertEquals(200, r.statusCode());
        assertEquals("OK", new String(r.body(), StandardCharsets.UTF_8));
        assertEquals("1.41", r.headers().firstValue("Api-Version").orElseThrow());
        assertEquals("active/manager", r.headers().firstValue("Swarm").orElseThrow());
        assertEquals(200, send("HEAD", "/v1.30/_ping", null).statusCode());
    }

    @Test
    void versionsOutsideTheServedRangeAndUnknownPathsGetDockersAnswers() throws Exception {
        HttpResponse<byte[]> tooNew = send("GET", "/v1.45/info", null);
        assertEquals(400, tooNew.statusCode());
        assertEquals("client version 1.45 is too new. Maximum supported API version is 1.41", json(tooNew).get("message").asText());
        HttpResponse<byte[]> tooOld = send("GET", "/v1.12/info", null);
        assertEquals(400, tooOld.statusCode());
        assertTrue(json(tooOld).get("message").asText().startsWith("client version 1.12 is too old. Minimum supported API version is 1.24"));
        HttpResponse<byte[]> none = send("GET", "/v1.41/containers/json", null);
        assertEquals(404, none.statusCode());
        assertEquals("page not found", json(none).get("message").asText());
    }

    @Test
    void servicesListWithTheirStatusAndFilters() throws Exception {
        JsonNode all = json(send("GET", "/v1.41/services?status=true", null));
        assertEquals(1, all.size());
        assertEquals("web", all.get(0).at("/Spec/Name").asText());
        assertEquals(2, all.get(0).at("/ServiceStatus/RunningTasks").asInt());
        assertEquals(3, all.get(0).at("/ServiceStatus/DesiredTasks").asInt());
        String none = "/services?filters=" + URLEncoder.encode("{\"name\":{\"db\":true}}", StandardCharsets.UTF_8);
        assertEquals(0, json(send("GET", none, null)).size());
        HttpResponse<byte[]> bad = send("GET", "/services?filters=" + URLEncoder.encode("{\"colour\":[\"red\"]}", StandardCharsets.UTF_8), null);
        assertEquals(400, bad.statusCode());
        assertEquals("invalid filter 'colour'", json(bad).get("message").asText());
    }

    @Test
    void errorsMapToDockersStatusCodesAndChangeNothing() throws Exception {
        HttpResponse<byte[]> missing = send("GET", "/services/nosuch", null);
        assertEquals(404, missing.statusCode());
        assertEquals("service nosuch not found", json(missing).get("message").asText());
        HttpResponse<byte[]> malformed = send("POST", "/services/create", "{\"Name\": ");
        assertEquals(400, malformed.statusCode());
        assertTrue(json(malformed).get("message").asText().startsWith("malformed JSON"));
        HttpResponse<byte[]> unsupported = send("POST", "/services/create",
                "{\"Name\":\"x\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\",\"Privileges\":{\"NoNewPrivileges\":true}}}}");
        assertEquals(400, unsupported.statusCode());
        assertEquals("TaskTemplate.ContainerSpec.Privileges: not supported by Shoal", json(unsupported).get("message").asText());
        assertEquals(0, cluster.created.size(), "nothing was created");
        HttpResponse<byte[]> ok = send("POST", "/services/create", "{\"Name\":\"x\",\"TaskTemplate\":{\"ContainerSpec\":{\"Image\":\"busybox\"}}}");
        assertEquals(201, ok.statusCode());
        assertEquals("new1", json(ok).get("ID").asText());
    }

    @Test
    void secretsAreCreatedListedByLabelAndRemovedAndTheirValueNeverComesBack() throws Exception {
        HttpResponse<byte[]> created = send("POST", "/v1.41/secrets/create", "{\"Name\":\"pw\",\"Labels\":{\"team\":\"a\"},\"Data\":\"czNjcmV0\"}");
        assertEquals(201, created.statusCode(), new String(created.body(), StandardCharsets.UTF_8));
        String id = json(created).get("ID").asText();
        assertEquals("s3cret", cluster.secrets.get(id).getSpec().getData().toStringUtf8());
        HttpResponse<byte[]> listed = send("GET", "/secrets?filters=" + URLEncoder.encode("{\"label\":[\"team=a\"]}", StandardCharsets.UTF_8), null);
        assertEquals(1, json(listed).size());
        assertEquals("pw", json(listed).get(0).at("/Spec/Name").asText());
        assertTrue(json(listed).get(0).at("/Spec/Data").isMissingNode(), new String(listed.body(), StandardCharsets.UTF_8));
        assertEquals(0, json(send("GET", "/secrets?filters=" + URLEncoder.encode("{\"label\":[\"team=b\"]}", StandardCharsets.UTF_8), null)).size());
        HttpResponse<byte[]> driver = send("POST", "/secrets/create", "{\"Name\":\"v\",\"Data\":\"eA==\",\"Driver\":{\"Name\":\"vault\"}}");
        assertEquals(400, driver.statusCode());
        assertEquals("Driver: not supported by Shoal", json(driver).get("message").asText());
        HttpResponse<byte[]> update = send("POST", "/secrets/" + id + "/update?version=1", "{\"Name\":\"pw\",\"Labels\":{}}");
        assertEquals(400, update.statusCode());
        assertTrue(json(update).get("message").asText().startsWith("updating secrets is not supported by Shoal"));
        assertEquals(1, cluster.secrets.size(), "neither the refused create nor the update changed anything");
        assertEquals(204, send("DELETE", "/secrets/" + id, null).statusCode());
        assertEquals(404, send("DELETE", "/secrets/" + id, null).statusCode());
    }

    @Test
    void distributionInspectAsksTheNodesRegistryClientWithTheCallersCredentials() throws Exception {
        String auth = Base64.getUrlEncoder().encodeToString("{\"username\":\"bob\",\"password\":\"pw\"}".getBytes(StandardCharsets.UTF_8));
        HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1.41/distribution/registry.example/team/app:v1/json"))
                .header("X-Registry-Auth", auth).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        assertEquals("sha256:" + "ab".repeat(32), json(r).at("/Descriptor/digest").asText());
        assertEquals(1234, json(r).at("/Descriptor/size").asLong());
        assertEquals("amd64", json(r).at("/Platforms/0/architecture").asText());
        assertEquals("registry.example/team/app:v1", cluster.inspected.getReference());
        assertEquals(Base64.getEncoder().encodeToString("bob:pw".getBytes(StandardCharsets.UTF_8)), cluster.inspected.getRegistryAuth());
        HttpResponse<byte[]> unreachable = send("GET", "/distribution/elsewhere.example/app/json", null);
        assertEquals(500, unreachable.statusCode());
        assertEquals("cannot reach registry elsewhere.example", json(unreachable).get("message").asText());
        assertEquals("", cluster.inspected.getRegistryAuth());
    }

    @Test
    void aWorkerAnswersAsDockerdOnAWorker() throws Exception {
        cluster.role = NodeRole.NODE_ROLE_WORKER;
        try (EngineApiServer worker = new EngineApiServer(EngineApi.router(new Backend(cluster.channel, "test", System::nanoTime)))) {
            worker.listenTcp(new InetSocketAddress("127.0.0.1", 0), null, Authorizer.ANYONE);
            HttpResponse<byte[]> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + worker.tcpAddress(0).getPort()
                    + "/v1.41/services")).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(503, r.statusCode());
            assertEquals(Backend.WORKER, json(r).get("message").asText());
        }
    }

    @Test
    void logsAreFramedAsDockersMultiplexedStreamWithDetails() throws Exception {
        HttpResponse<byte[]> r = send("GET", "/v1.41/services/web/logs?stdout=1&stderr=1&details=1&timestamps=1", null);
        assertEquals(200, r.statusCode());
        ByteBuffer b = ByteBuffer.wrap(r.body());
        assertEquals(1, b.get());
        b.position(4);
        byte[] first = new byte[b.getInt()];
        b.get(first);
        assertEquals("1970-01-01T00:00:01.000000000Z com.docker.swarm.node.id=h1,com.docker.swarm.service.id=svc1,"
                + "com.docker.swarm.task.id=t1 hello\n", new String(first, StandardCharsets.UTF_8));
        assertEquals(2, b.get());
        HttpResponse<byte[]> noStream = send("GET", "/services/web/logs", null);
        assertEquals(400, noStream.statusCode());
        assertArrayEquals(new byte[] {2, 0, 0, 0, 0, 0, 0, 3, 'a', 'b', '\n'},
                LogStreams.frame(true, "ab\n".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void eventsStreamAsJsonLinesWithDockersTimestampsAndFilters() throws Exception {
        String filters = URLEncoder.encode("{\"type\":{\"service\":true}}", StandardCharsets.UTF_8);
        HttpResponse<byte[]> r = send("GET", "/v1.41/events?since=1.5&until=4&filters=" + filters, null);
        assertEquals(200, r.statusCode());
        assertEquals(1_500_000_000L, cluster.eventsAsked.getSinceNanos());
        assertEquals(4_000_000_000L, cluster.eventsAsked.getUntilNanos());
        assertEquals(java.util.List.of("service"), cluster.eventsAsked.getFiltersMap().get("type").getValuesList());
        String[] lines = new String(r.body(), StandardCharsets.UTF_8).split("\n");
        assertEquals(2, lines.length, "the progress mark is not a docker message");
        JsonNode first = Json.parse(lines[0].getBytes(StandardCharsets.UTF_8));
        assertEquals("service", first.get("Type").asText());
        assertEquals("create", first.get("Action").asText());
        assertEquals("web", first.get("Actor").get("Attributes").get("name").asText());
        assertEquals(2, first.get("time").asLong());
        assertEquals(2_000_000_123L, first.get("timeNano").asLong());
        assertEquals("update", Json.parse(lines[1].getBytes(StandardCharsets.UTF_8)).get("Action").asText());

        cluster.eventsAsked = null;
        HttpResponse<byte[]> badTime = send("GET", "/events?since=yesterday", null);
        assertEquals(400, badTime.statusCode());
        assertTrue(json(badTime).get("message").asText().contains("since"), json(badTime).toString());
        HttpResponse<byte[]> badFilter = send("GET", "/events?filters=" + URLEncoder.encode("{\"type\":{\"pod\":true}}",
                StandardCharsets.UTF_8), null);
        assertEquals(400, badFilter.statusCode());
        assertEquals(null, cluster.eventsAsked, "a refused request reaches no manager");
    }

    @Test
    void swarmUpdateSetsTheCertificateExpiryAsClusterUpdateDoesAndRefusesLessThanAMinute() throws Exception {
        HttpResponse<byte[]> ok = send("POST", "/v1.41/swarm/update?version=0", "{\"CAConfig\":{\"NodeCertExpiry\":7200000000000}}");
        assertEquals(200, ok.statusCode(), new String(ok.body(), StandardCharsets.UTF_8));
        assertEquals(1, cluster.clusterUpdates.size());
        assertTrue(cluster.clusterUpdates.get(0).getSetCertExpiry());
        assertEquals(7_200_000L, cluster.clusterUpdates.get(0).getCertExpiryMs());

        HttpResponse<byte[]> tooShort = send("POST", "/v1.41/swarm/update?version=0&rotateWorkerToken=true",
                "{\"CAConfig\":{\"NodeCertExpiry\":59000000000}}");
        assertEquals(400, tooShort.statusCode());
        assertEquals("minimum certificate expiry time is: 1m0s", json(tooShort).get("message").asText());
        assertEquals(1, cluster.clusterUpdates.size(), "a refused update reaches no manager");
    }
}
