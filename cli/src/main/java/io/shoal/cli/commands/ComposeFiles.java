package io.shoal.cli.commands;

import io.shoal.compose.ComposeLoader;
import io.shoal.compose.Project;
import io.shoal.compose.StackTranslator;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code -c FILE} arguments of {@code stack deploy} and {@code stack config}: read (standard
 * input for "-", once), loaded into a {@link Project} from the first file's directory (the current
 * one for standard input), with the variables' warnings and Docker's "Ignoring ..." notices printed
 * on stderr.
 */
final class ComposeFiles {
    private ComposeFiles() {}

    static Project load(List<String> files, InputStream stdin, PrintWriter err) throws IOException {
        if (files.isEmpty()) {
            throw new IllegalArgumentException("please give a compose file (-c FILE)");
        }
        List<ComposeLoader.Source> sources = new ArrayList<>();
        boolean stdinRead = false;
        for (String f : files) {
            if (f.equals("-")) {
                if (stdinRead) {
                    throw new IllegalArgumentException("-c -: standard input can be read only once");
                }
                stdinRead = true;
                sources.add(new ComposeLoader.Source("-", new String(stdin.readAllBytes(), StandardCharsets.UTF_8)));
                continue;
            }
            try {
                sources.add(new ComposeLoader.Source(f, Files.readString(Path.of(f), StandardCharsets.UTF_8)));
            } catch (NoSuchFileException e) {
                throw new IOException("open " + f + ": no such file or directory");
            }
        }
        Path workingDir = files.getFirst().equals("-") ? Path.of("").toAbsolutePath()
                : Path.of(files.getFirst()).toAbsolutePath().getParent();
        Project p = ComposeLoader.load(sources, workingDir, System.getenv());
        p.warnings().forEach(w -> err.println("WARN: " + w));
        StackTranslator.notices(p).forEach(err::println);
        err.flush();
        return p;
    }
}
