package io.shoal.api;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Rpcs} finds every rpc the .proto files declare, and nothing else. */
class RpcsTest {
    @Test
    void everyRpcTheProtoFilesDeclareIsListed() throws IOException {
        List<String> declared = declared(Path.of("src/main/proto"));
        assertTrue(declared.size() > 30, "read the .proto files: " + declared);
        assertEquals(declared, Rpcs.names());
        assertEquals(Rpcs.names().size(), Rpcs.methods().size());
        assertTrue(Rpcs.names().contains("shoal.Control/UpdateCluster"), Rpcs.names().toString());
    }

    /** The rpcs of the services in the .proto files under {@code dir}, as service/method, sorted. */
    static List<String> declared(Path dir) throws IOException {
        Pattern service = Pattern.compile("^service\\s+(\\w+)\\s*\\{");
        Pattern rpc = Pattern.compile("^\\s*rpc\\s+(\\w+)\\s*\\(");
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".proto")).toList()) {
                String current = null;
                for (String line : Files.readAllLines(f)) {
                    Matcher s = service.matcher(line);
                    Matcher r = rpc.matcher(line);
                    if (s.find()) {
                        current = s.group(1);
                    } else if (r.find() && current != null) {
                        out.add("shoal." + current + "/" + r.group(1));
                    }
                }
            }
        }
        return out.stream().sorted().toList();
    }
}
