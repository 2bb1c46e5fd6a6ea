package io.shoal.cli.commands;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ShellWordsTest {
    private static List<String> split(String s) {
        return ShellWords.split(s, "--args", new CommandLine(new UpdateFlagsTest.Holder()));
    }

    @Test
    void splitsAsAShellWould() {
        assertEquals(List.of("sleep", "3600"), split("  sleep   3600 "));
        assertEquals(List.of("a b", "c"), split("'a b' c"));
        assertEquals(List.of("x\"y", "$HOME"), split("\"x\\\"y\" '$HOME'"));
        assertEquals(List.of("a b"), split("a\\ b"));
        assertEquals(List.of(""), split("''"));
        assertEquals(List.of(), split(""));
    }
}
