package dev.caravan.support;

import java.util.List;

import dev.caravan.demo.StubLlmProvider;

/** What the stub LLM provider received, for tests that check what the gateway sent upstream. */
public final class StubRequests {

    private StubRequests() {
    }

    /** The latest request the stub got whose path (with query) contains {@code pathPart}. */
    public static StubLlmProvider.Received lastTo(StubLlmProvider stub, String pathPart) {
        List<StubLlmProvider.Received> received = stub.requests();
        for (int i = received.size() - 1; i >= 0; i--) {
            if (received.get(i).path().contains(pathPart)) {
                return received.get(i);
            }
        }
        throw new AssertionError("the stub got no request to " + pathPart);
    }
}
