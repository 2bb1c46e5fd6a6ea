package io.shoal.node;

import com.google.protobuf.ByteString;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.protobuf.ProtoMethodDescriptorSupplier;
import io.shoal.api.Annotations;
import io.shoal.api.ClusterSecurityGrpc;
import io.shoal.api.ConfigSpec;
import io.shoal.api.ContainerSpec;
import io.shoal.api.ControlGrpc;
import io.shoal.api.CreateConfigRequest;
import io.shoal.api.CreateNetworkRequest;
import io.shoal.api.CreateSecretRequest;
import io.shoal.api.CreateServiceRequest;
import io.shoal.api.EndpointSpec;
import io.shoal.api.InitRequest;
import io.shoal.api.InitResponse;
import io.shoal.api.IssueClientCertificateRequest;
import io.shoal.api.IssueClientCertificateResponse;
import io.shoal.api.IssueNodeCertificateRequest;
import io.shoal.api.IssueNodeCertificateResponse;
import io.shoal.api.NetworkSpec;
import io.shoal.api.NodeAvailability;
import io.shoal.api.NodeCAGrpc;
import io.shoal.api.PortConfig;
import io.shoal.api.RenewNodeCertificateRequest;
import io.shoal.api.ReplicatedService;
import io.shoal.api.Rpcs;
import io.shoal.api.RotateJoinTokenRequest;
import io.shoal.api.SecretSpec;
import io.shoal.api.ServiceSpec;
import io.shoal.api.TaskSpec;
import io.shoal.api.UpdateNodeRequest;
import io.shoal.api.UpdateServiceRequest;
import io.shoal.api.raft.StoreObject;
import io.shoal.api.raft.StoreSnapshot;
import io.shoal.manager.ca.NodeKeys;
import io.shoal.manager.ca.Pem;
import io.shoal.manager.store.ClusterStore;
import io.shoal.manager.store.StoreObjects;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Fuzzes every RPC of every service in the .proto files through a real manager's gRPC server
 * under mutual TLS (a one-member Raft cluster in this JVM), once with an operator's certificate
 * and once with a worker's. The RPCs are found from the generated service descriptors, so a new
 * RPC is fuzzed without editing this test. Each input is a valid request of its RPC, mutated
 * field by field (empty, huge, unicode and control-character strings, existing names and ids,
 * negative and huge numbers, unknown enum values, cleared parts, extra repeated entries), or the
 * valid request's bytes flipped or cut, or random bytes as the whole message.
 * <p>
 * Properties: every call ends within its deadline; every failure is a status (never UNKNOWN) with a
 * non-empty one-line description that is no Java exception or stack trace; a worker's certificate
 * gets PERMISSION_DENIED for every Control and ClusterSecurity RPC; after every rejected call the
 * store's snapshot (its objects, in the store's own deterministic order) is byte-for-byte what
 * it was before. Accepted calls may change the store: the next call compares against the new
 * state. The leader's control loops are stopped, so only the calls change the store; the writes
 * that are not a call's, a node's liveness marked by the dispatcher's clock and its certificate
 * record when it renews (a root rotation started by an accepted call), are recognised as such
 * (only node status or TLS info changed) and not counted.
 * <p>
 * {@code -Dshoal.fuzz.runs} (inputs per RPC and certificate: a fourth of it, at least one) and
 * {@code -Dshoal.fuzz.seed} size and replay the run; {@code -Dshoal.fuzz.rpc=NAME} fuzzes only the
 * RPCs whose full name contains NAME; {@code -Dshoal.fuzz.loops=true} keeps the control loops
 * running (the store comparison is then noise: for finding hangs and errors only).
 */
class ControlApiFuzzTest {
    static final int RUNS = Integer.getInteger("shoal.fuzz.runs", 40);
    static final int PER_RPC = Math.max(1, RUNS / 4);
    static final long SEED = Long.getLong("shoal.fuzz.seed", 15);
    /** Only the RPCs whose full name contains this (all by default): to replay one RPC's findings. */
    static final String ONLY = System.getProperty("shoal.fuzz.rpc", "");
    /** Every call's deadline: a call still open past it (plus a margin) is a hang. */
    static final Duration DEADLINE = Duration.ofSeconds(20);
    /** How long a server stream may stay quiet before it is cancelled: an open stream is alive, not a finding. */
    static final long QUIET_STREAM_MS = 500;
    /** The services only administrators (managers, operators, the local socket) may call. */
    static final Set<String> ADMIN_SERVICES = Set.of("shoal.Control", "shoal.ClusterSecurity");
    /** A Java exception class or a stack frame in what a caller reads. */
    static final Pattern LEAK = Pattern.compile("\\w(Exception|Error)\\b|\\bat [a-z]\\w*\\.[a-z]|\\b(java|javax|io|com|org|jdk|sun)\\.[a-z0-9_.]*\\.[A-Z]\\w+");
    static final MethodDescriptor.Marshaller<byte[]> RAW = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    static final List<String> STRINGS = List.of("", " ", "-", "a", "A_B", "x".repeat(100_000), "名前-ü-\u202e-😀", "\u0000", "a\nb\r\tc",
            "../../etc/passwd", "ingress", "host", "none", "bridge", "overlay", "a".repeat(64), "a".repeat(65), "1.2.3.4",
            "10.0.0.0/8", "10.255.0.0/16", "0.0.0.0/0", "fe80::1", "300.1.1.1/24", "busybox:latest", "-1", "99999999999999999999",
            "node.role==manager", "node.labels.x!=y", "spread=node.labels.zone", "%s%n", "\ud800", "*");

    @TempDir
    static Path dir;
    static NodeDaemon manager;
    static int port;
    static final List<ManagedChannel> channels = new ArrayList<>();
    static final Map<String, Supplier<Message>> seeds = new HashMap<>();
    static String workerToken;
    static String managerNodeId;
    static String workerNodeId;
    static KeyPair workerKeys;
    static int fresh;
    static ManagedChannel socket;

    /** What one run found, and what it did. */
    static final class Tally {
        int executions;
        int accepted;
        int rejected;
        int livenessWrites;
        final List<String> findings = new ArrayList<>();
        final Map<String, Integer> codes = new TreeMap<>();
        /** one description per status code, to read what callers are told */
        final Map<String, String> samples = new TreeMap<>();
    }

    @BeforeAll
    static void cluster() throws Exception {
        port = InProcessClusterTest.freePortPair();
        Path data = dir.resolve("m1");
        manager = new NodeDaemon(new DaemonOptions(data, dir.resolve("m1.sock"), "runc", "127.0.0.1:" + port, List.of(), 1000,
                new InProcessClusterTest.FakeExecutor(), id -> data.resolve("no-logs"), List.of()));
        manager.start();
        InitResponse init = manager.init(InitRequest.newBuilder().setListenAddr("127.0.0.1:" + port)
                .setAdvertiseAddr("127.0.0.1:" + port).build());
        workerToken = init.getWorkerToken();
        managerNodeId = manager.info().getNodeId();
        if (!Boolean.getBoolean("shoal.fuzz.loops")) {
            manager.member().manager().stopLoops();
        }
    }

    @AfterAll
    static void stop() {
        channels.forEach(ManagedChannel::shutdownNow);
        if (manager != null) {
            manager.close();
        }
    }

    static ManagedChannel channel(SslContext ctx) {
        ManagedChannel ch = Tls.channel("127.0.0.1:" + port, ctx);
        channels.add(ch);
        return ch;
    }

    /** An operator certificate, as {@code shoal ca client-cert} gets one over the manager's socket. */
    static SslContext operator() throws Exception {
        ManagedChannel socket = LocalSocket.connect(dir.resolve("m1.sock"));
        channels.add(socket);
        KeyPair kp = NodeKeys.generate();
        IssueClientCertificateResponse r = ClusterSecurityGrpc.newBlockingStub(socket).withDeadlineAfter(20, TimeUnit.SECONDS)
                .issueClientCertificate(IssueClientCertificateRequest.newBuilder()
                        .setPublicKey(ByteString.copyFrom(kp.getPublic().getEncoded())).setValidityMs(Duration.ofHours(1).toMillis()).build());
        return AuthorizationTest.client(kp, Pem.parseCertificate(r.getCertPem()), Pem.parseCertificate(r.getCaCertPem()));
    }

    /** A worker's certificate, as a joining worker gets one (its node is in the store; no daemon runs it). */
    static SslContext worker() throws Exception {
        var ca = new NodeFiles(dir.resolve("m1")).loadIdentity().ca();
        workerKeys = NodeKeys.generate();
        IssueNodeCertificateResponse r = NodeCAGrpc.newBlockingStub(channel(Tls.anonymousClient(ca))).withDeadlineAfter(20, TimeUnit.SECONDS)
                .issueNodeCertificate(IssueNodeCertificateRequest.newBuilder().setToken(workerToken)
                        .setCsr(ByteString.copyFrom(NodeKeys.csr(workerKeys, "fuzz-worker"))).setHostname("fuzz-worker")
                        .setAdvertiseAddr("127.0.0.1:1").build());
        workerNodeId = r.getNodeId();
        return AuthorizationTest.client(workerKeys, Pem.parseCertificate(r.getCertPem()), Pem.parseCertificate(r.getCaCertPem()));
    }

    @Test
    void everyRpcWithAnOperatorsAndAWorkersCertificate() throws Exception {
        List<MethodDescriptor<?, ?>> rpcs = Rpcs.methods();
        ManagedChannel asOperator = channel(operator());
        ManagedChannel asWorker = channel(worker());
        // the worker's node exists now; its liveness may be marked once the down grace passes
        seedRequests();
        Random r = new Random(SEED);
        Tally tally = new Tally();
        for (String who : List.of("operator", "worker")) {
            ManagedChannel ch = who.equals("operator") ? asOperator : asWorker;
            for (MethodDescriptor<?, ?> m : rpcs) {
                if (!m.getFullMethodName().contains(ONLY)) {
                    continue;
                }
                long fds = openFiles();
                for (int i = 0; i < PER_RPC; i++) {
                    fuzzOne(tally, r, who, ch, m, i);
                }
                if (openFiles() - fds > 20) {
                    System.out.printf("  %s %s: open files %d -> %d%n", who, m.getFullMethodName(), fds, openFiles());
                }
            }
        }
        System.out.printf("fuzz control API: %d executions over %d RPCs, %d accepted, %d rejected (%s), %d liveness writes "
                        + "not counted, %d findings%n", tally.executions, rpcs.size(), tally.accepted, tally.rejected, tally.codes,
                tally.livenessWrites, tally.findings.size());
        tally.samples.forEach((code, d) -> System.out.println("  " + code + ", e.g. " + (d.length() > 200 ? d.substring(0, 200) + "…" : d)));
        tally.findings.forEach(f -> System.out.println("  finding: " + f));
        assertTrue(tally.findings.isEmpty(), tally.findings.size() + " findings: " + tally.findings.subList(0, Math.min(5, tally.findings.size())));
    }

    private void fuzzOne(Tally tally, Random r, String who, ManagedChannel ch, MethodDescriptor<?, ?> m, int i) {
        String rpc = m.getFullMethodName();
        String service = rpc.substring(0, rpc.indexOf('/'));
        ClusterStore store = manager.member().manager().store();
        Descriptor type = ((ProtoMethodDescriptorSupplier) m.getSchemaDescriptor()).getMethodDescriptor().getInputType();
        byte[] input = input(r, type, rpc, i);
        StoreSnapshot before = objects(store);
        Outcome out = call(ch, m, input);
        tally.executions++;
        String where = "seed " + SEED + " " + who + " " + rpc + " #" + i + " (" + describe(type, input) + ")";
        if (out.status == null || out.status.getCode() == Status.Code.DEADLINE_EXCEEDED) {
            // a hang; and the call's outcome is unknown (its write may still land), so the store is not compared
            tally.findings.add(where + ": no answer within " + DEADLINE.toSeconds() + " s");
            return;
        }
        if (out.status.isOk() || out.alive) {
            tally.accepted++;
        } else {
            tally.rejected++;
            tally.codes.merge(out.status.getCode().name(), 1, Integer::sum);
            String d = out.status.getDescription();
            tally.samples.putIfAbsent(out.status.getCode().name(), rpc + ": " + d);
            if (d == null || d.isBlank()) {
                tally.findings.add(where + ": " + out.status.getCode() + " with no description");
            } else if (out.status.getCode() == Status.Code.UNKNOWN) {
                tally.findings.add(where + ": UNKNOWN, which tells a caller nothing: " + d);
            } else if (d.contains("\n") || d.contains("\r")) {
                tally.findings.add(where + ": a description of several lines: " + d);
            } else if (LEAK.matcher(d).find()) {
                tally.findings.add(where + ": " + out.status.getCode() + " names Java internals: " + d);
            }
            StoreSnapshot after = objects(store);
            if (!Arrays.equals(before.toByteArray(), after.toByteArray())) {
                List<String> changed = changed(before, after);
                if (changed.stream().allMatch(c -> c.startsWith("liveness "))) {
                    tally.livenessWrites++;
                } else {
                    tally.findings.add(where + ": rejected (" + out.status.getCode() + ": " + d + ") but the store changed: " + changed);
                }
            }
        }
        if (who.equals("worker") && ADMIN_SERVICES.contains(service) && out.status.getCode() != Status.Code.PERMISSION_DENIED) {
            tally.findings.add(where + ": a worker's certificate got " + out.status.getCode() + ", not PERMISSION_DENIED");
        }
    }

    static long openFiles() {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The store's objects in its own snapshot format and order, without the Raft index (reads and no-ops move it). */
    static StoreSnapshot objects(ClusterStore store) {
        return store.snapshot().toBuilder().setIndex(0).build();
    }

    /** Which objects differ: "liveness KIND id" when only a node's status changed, else "KIND id". */
    static List<String> changed(StoreSnapshot before, StoreSnapshot after) {
        Map<String, StoreObject> a = byKey(before);
        Map<String, StoreObject> b = byKey(after);
        Set<String> keys = new TreeSet<>(a.keySet());
        keys.addAll(b.keySet());
        List<String> out = new ArrayList<>();
        for (String k : keys) {
            StoreObject x = a.get(k);
            StoreObject y = b.get(k);
            if (x != null && x.equals(y)) {
                continue;
            }
            // a node's own writes: its liveness, and its certificate record when it renews (a root
            // rotation an accepted ClusterSecurity/RotateRootCA started makes every node renew)
            boolean liveness = x != null && y != null && x.hasNode() && y.hasNode()
                    && x.getNode().toBuilder().clearStatus().clearMeta().clearTlsInfo().build()
                    .equals(y.getNode().toBuilder().clearStatus().clearMeta().clearTlsInfo().build());
            out.add((liveness ? "liveness " : "") + k + (x == null ? " (added)" : y == null ? " (removed)" : ""));
        }
        return out;
    }

    static Map<String, StoreObject> byKey(StoreSnapshot s) {
        Map<String, StoreObject> m = new LinkedHashMap<>();
        s.getObjectsList().forEach(o -> m.put(StoreObjects.kind(o) + " " + StoreObjects.id(o), o));
        return m;
    }

    /** How a call ended: its status (null: no end within the deadline), and whether a stream answered. */
    record Outcome(Status status, boolean alive) {}

    static Outcome call(ManagedChannel ch, MethodDescriptor<?, ?> m, byte[] input) {
        MethodDescriptor<byte[], byte[]> raw = m.toBuilder(RAW, RAW).build();
        ClientCall<byte[], byte[]> call = ch.newCall(raw, CallOptions.DEFAULT.withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS));
        CompletableFuture<Status> closed = new CompletableFuture<>();
        CompletableFuture<Boolean> first = new CompletableFuture<>();
        call.start(new ClientCall.Listener<>() {
            @Override
            public void onMessage(byte[] message) {
                first.complete(true);
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
                first.complete(false);
                closed.complete(status);
            }
        }, new Metadata());
        call.request(1);
        call.sendMessage(input);
        call.halfClose();
        boolean unary = m.getType() == MethodDescriptor.MethodType.UNARY;
        try {
            if (!unary) {
                // a stream is judged by its first answer: a message (it works), or its end
                try {
                    if (first.get(QUIET_STREAM_MS, TimeUnit.MILLISECONDS) && !closed.isDone()) {
                        call.cancel("the fuzzer read its first message", null);
                        return new Outcome(Status.OK, true);
                    }
                } catch (TimeoutException quiet) {
                    call.cancel("the fuzzer stops waiting", null);
                    return new Outcome(Status.OK, true);
                }
            }
            return new Outcome(closed.get(DEADLINE.toMillis() + 10_000, TimeUnit.MILLISECONDS), false);
        } catch (TimeoutException e) {
            call.cancel("no answer", null);
            return new Outcome(null, false);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- inputs

    /** One input: the seed request mutated, its bytes flipped or cut, or random bytes. */
    static byte[] input(Random r, Descriptor type, String rpc, int i) {
        Message seed = seeds.getOrDefault(rpc, () -> DynamicMessage.getDefaultInstance(type)).get();
        DynamicMessage.Builder b = DynamicMessage.newBuilder(type);
        try {
            b.mergeFrom(seed.toByteString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (i == 0) {
            return b.build().toByteArray(); // the valid request itself
        }
        int how = r.nextInt(10);
        if (how == 0) {
            byte[] junk = new byte[r.nextInt(64)];
            r.nextBytes(junk);
            return junk;
        }
        if (how == 1) {
            byte[] bytes = b.build().toByteArray();
            if (bytes.length == 0) {
                return new byte[]{(byte) r.nextInt(256)};
            }
            bytes = r.nextBoolean() ? Arrays.copyOf(bytes, r.nextInt(bytes.length)) : bytes;
            for (int n = 1 + r.nextInt(3); n > 0 && bytes.length > 0; n--) {
                bytes[r.nextInt(bytes.length)] ^= (byte) (1 << r.nextInt(8));
            }
            return bytes;
        }
        for (int n = 1 + r.nextInt(3); n > 0; n--) {
            mutate(r, b, 0);
        }
        return b.build().toByteArray();
    }

    /** Changes one field somewhere in {@code b} (up to a few levels down). */
    static void mutate(Random r, Message.Builder b, int depth) {
        List<FieldDescriptor> fields = b.getDescriptorForType().getFields();
        if (fields.isEmpty()) {
            return;
        }
        FieldDescriptor f = fields.get(r.nextInt(fields.size()));
        if (f.isRepeated()) {
            switch (r.nextInt(3)) {
                case 0 -> b.clearField(f);
                default -> {
                    for (int n = 1 + (r.nextInt(8) == 0 ? r.nextInt(50) : r.nextInt(3)); n > 0; n--) {
                        b.addRepeatedField(f, value(r, b, f, depth));
                    }
                }
            }
            return;
        }
        if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE && depth < 4 && r.nextInt(4) != 0) {
            mutate(r, b.getFieldBuilder(f), depth + 1);
            return;
        }
        if (r.nextInt(6) == 0) {
            b.clearField(f);
        } else {
            b.setField(f, value(r, b, f, depth));
        }
    }

    static Object value(Random r, Message.Builder parent, FieldDescriptor f, int depth) {
        return switch (f.getJavaType()) {
            case STRING -> string(r);
            case INT -> pick(r, 0, -1, 1, Integer.MIN_VALUE, Integer.MAX_VALUE, r.nextInt(), 65535, 65536);
            case LONG -> pick(r, 0L, -1L, 1L, Long.MIN_VALUE, Long.MAX_VALUE, r.nextLong(), 1L << 40, -(1L << 40));
            case FLOAT -> pick(r, 0f, -1f, Float.NaN, Float.POSITIVE_INFINITY, Float.MAX_VALUE);
            case DOUBLE -> pick(r, 0d, -1d, Double.NaN, Double.NEGATIVE_INFINITY, Double.MAX_VALUE);
            case BOOLEAN -> r.nextBoolean();
            case BYTE_STRING -> bytes(r);
            case ENUM -> enumValue(r, f.getEnumType());
            case MESSAGE -> {
                Message.Builder sub = parent.newBuilderForField(f);
                for (int n = r.nextInt(3); n > 0 && depth < 4; n--) {
                    mutate(r, sub, depth + 1);
                }
                yield sub.build();
            }
        };
    }

    @SafeVarargs
    static <T> T pick(Random r, T... values) {
        return values[r.nextInt(values.length)];
    }

    static Object enumValue(Random r, EnumDescriptor e) {
        if (r.nextInt(3) == 0) {
            return e.findValueByNumberCreatingIfUnknown(pick(r, -1, 999, Integer.MAX_VALUE, e.getValues().size()));
        }
        return e.getValues().get(r.nextInt(e.getValues().size()));
    }

    static String string(Random r) {
        int how = r.nextInt(4);
        if (how == 0) {
            List<String> refs = references();
            if (!refs.isEmpty()) {
                return refs.get(r.nextInt(refs.size()));
            }
        }
        if (how == 1) {
            StringBuilder s = new StringBuilder();
            for (int n = r.nextInt(40); n > 0; n--) {
                s.append((char) (r.nextBoolean() ? 32 + r.nextInt(95) : r.nextInt(0x3000)));
            }
            return s.toString();
        }
        return STRINGS.get(r.nextInt(STRINGS.size()));
    }

    static ByteString bytes(Random r) {
        byte[] b = new byte[pick(r, 0, 1, 16, 1024, 70_000)];
        r.nextBytes(b);
        return ByteString.copyFrom(b);
    }

    /** The ids and names of what the store holds now: references that resolve. */
    static List<String> references() {
        List<String> out = new ArrayList<>();
        for (StoreObject o : manager.member().manager().store().snapshot().getObjectsList()) {
            out.add(StoreObjects.id(o));
            String name = StoreObjects.name(o);
            if (!name.isEmpty()) {
                out.add(name);
            }
        }
        return out;
    }

    /** A valid request for the RPCs whose empty request is not one; fresh names so accepted creates do not collide. */
    static void seedRequests() {
        seeds.put(rpc(ControlGrpc.getCreateServiceMethod()), () -> CreateServiceRequest.newBuilder().setSpec(service("svc" + ++fresh)).build());
        seeds.put(rpc(ControlGrpc.getUpdateServiceMethod()), () -> {
            String name = "upd" + ++fresh;
            create(service(name));
            return UpdateServiceRequest.newBuilder().setService(name).setSpec(service(name).toBuilder()
                    .setEndpoint(EndpointSpec.newBuilder().addPorts(PortConfig.newBuilder().setTargetPort(80)))).build();
        });
        for (MethodDescriptor<?, ?> m : List.of(ControlGrpc.getGetServiceMethod(), ControlGrpc.getRemoveServiceMethod(),
                ControlGrpc.getServiceLogsMethod(), ControlGrpc.getListTasksMethod())) {
            seeds.put(rpc(m), () -> {
                String name = "ref" + ++fresh;
                create(service(name));
                Descriptor t = ((ProtoMethodDescriptorSupplier) m.getSchemaDescriptor()).getMethodDescriptor().getInputType();
                FieldDescriptor f = t.getFields().getFirst();
                return DynamicMessage.newBuilder(t).setField(f, name).build();
            });
        }
        seeds.put(rpc(ControlGrpc.getCreateNetworkMethod()), () -> CreateNetworkRequest.newBuilder().setSpec(NetworkSpec.newBuilder()
                .setAnnotations(Annotations.newBuilder().setName("net" + ++fresh)).setDriver("overlay")).build());
        seeds.put(rpc(ControlGrpc.getCreateSecretMethod()), () -> CreateSecretRequest.newBuilder().setSpec(SecretSpec.newBuilder()
                .setAnnotations(Annotations.newBuilder().setName("sec" + ++fresh)).setData(ByteString.copyFromUtf8("s3cret"))).build());
        seeds.put(rpc(ControlGrpc.getCreateConfigMethod()), () -> CreateConfigRequest.newBuilder().setSpec(ConfigSpec.newBuilder()
                .setAnnotations(Annotations.newBuilder().setName("cfg" + ++fresh)).setData(ByteString.copyFromUtf8("k=v"))).build());
        seeds.put(rpc(ControlGrpc.getUpdateNodeMethod()), () -> UpdateNodeRequest.newBuilder().setNode(managerNodeId)
                .setSetAvailability(true).setAvailability(NodeAvailability.NODE_AVAILABILITY_ACTIVE).putLabelAdd("zone", "a").build());
        seeds.put(rpc(ControlGrpc.getRotateJoinTokenMethod()), () -> RotateJoinTokenRequest.newBuilder().setWorker(true).build());
        seeds.put(rpc(ClusterSecurityGrpc.getIssueClientCertificateMethod()), () -> IssueClientCertificateRequest.newBuilder()
                .setPublicKey(ByteString.copyFrom(workerKeys.getPublic().getEncoded())).setValidityMs(60_000).build());
        seeds.put(rpc(NodeCAGrpc.getIssueNodeCertificateMethod()), () -> IssueNodeCertificateRequest.newBuilder().setToken(workerToken)
                .setCsr(ByteString.copyFrom(NodeKeys.csr(workerKeys, "fuzz"))).setHostname("fuzz").setAdvertiseAddr("127.0.0.1:2").build());
        seeds.put(rpc(NodeCAGrpc.getRenewNodeCertificateMethod()), () -> RenewNodeCertificateRequest.newBuilder()
                .setCsr(ByteString.copyFrom(NodeKeys.csr(workerKeys, "fuzz"))).build());
    }

    static String rpc(MethodDescriptor<?, ?> m) {
        return m.getFullMethodName();
    }

    static ServiceSpec service(String name) {
        return ServiceSpec.newBuilder().setAnnotations(Annotations.newBuilder().setName(name).putLabels("fuzz", "1"))
                .setTask(TaskSpec.newBuilder().setContainer(ContainerSpec.newBuilder().setImage("fake/image:1")))
                .setReplicated(ReplicatedService.newBuilder().setReplicas(1)).build();
    }

    /** Creates a service through the manager's socket, for seeds that name one. */
    static void create(ServiceSpec spec) {
        if (socket == null) {
            socket = LocalSocket.connect(dir.resolve("m1.sock"));
            channels.add(socket);
        }
        ControlGrpc.newBlockingStub(socket).withDeadlineAfter(20, TimeUnit.SECONDS)
                .createService(CreateServiceRequest.newBuilder().setSpec(spec).build());
    }

    static String describe(Descriptor type, byte[] input) {
        try {
            String text = DynamicMessage.parseFrom(type, input).toString().replaceAll("\\s+", " ");
            return text.length() > 300 ? text.substring(0, 300) + "…" : text;
        } catch (IOException e) {
            String hex = HexFormat.of().formatHex(input);
            return "bytes " + (hex.length() > 200 ? hex.substring(0, 200) + "…" : hex);
        }
    }
}
