package dev.caravan.bench;

import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import dev.caravan.faults.FaultProxy;
import dev.caravan.faults.FaultProxy.Fault;

/**
 * The upstream faults of the soak (bench/soak.sh): a fault proxy in front of the LLM stub (the OpenAI provider goes
 * through it) and one in front of an MCP backend, each arming one random fault for the next request every few seconds.
 * Faults that only end by a timeout longer than the soak client's are left out (a hang mid-stream, a slow drip).
 * <p>
 * usage: SoakFaults llmUpstreamPort llmProxyPort mcpUpstreamPort mcpProxyPort everySeconds
 */
public final class SoakFaults {

    private static final List<Fault> FAULTS = List.of(Fault.RESET_BEFORE_HEADERS, Fault.RESET_MID_BODY,
            Fault.HALF_EVENT_THEN_CLOSE, Fault.HANG_BEFORE_HEADERS, Fault.STATUS_503, Fault.RATE_LIMITED,
            Fault.GARBAGE, Fault.OVERSIZED);

    private SoakFaults() {
    }

    public static void main(String[] args) throws InterruptedException {
        FaultProxy llm = FaultProxy.llm(Integer.parseInt(args[0]), Integer.parseInt(args[1]));
        FaultProxy mcp = FaultProxy.mcp(Integer.parseInt(args[2]), Integer.parseInt(args[3]));
        long every = Long.parseLong(args[4]);
        Random random = new Random(7);
        ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
        clock.scheduleAtFixedRate(() -> {
            Fault fault = FAULTS.get(random.nextInt(FAULTS.size()));
            (random.nextBoolean() ? llm : mcp).inject(fault, 1);
        }, every, every, TimeUnit.SECONDS);
        System.out.println("fault proxies listening: llm " + llm.url() + ", mcp " + mcp.url());
        new CountDownLatch(1).await(); // until the soak script ends this process
    }
}
