package dev.caravan.support;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Closing a process a test started ends the whole tree it started, grandchildren included. */
class ManagedProcessTest {

    @Test
    void closeEndsTheProcessAndEveryProcessItStarted() throws Exception {
        // a child, and a child that has a child of its own; "ready" once all three were forked
        ManagedProcess shell = ManagedProcess.start(List.of("sh", "-c",
                        "sleep 300 & sh -c 'sleep 300 & echo ready; wait' & wait"), Path.of("."), Map.of(),
                "managed-process-tree", line -> line.equals("ready")).awaitLine(10);
        List<ProcessHandle> tree = Stream.concat(Stream.of(shell.handle()), shell.handle().descendants()).toList();
        assertEquals(4, tree.size(), tree::toString);

        shell.close();

        assertEquals(List.of(), tree.stream().filter(ProcessHandle::isAlive)
                .map(ph -> ph.pid() + " " + ph.info().commandLine().orElse("")).toList());
    }
}
