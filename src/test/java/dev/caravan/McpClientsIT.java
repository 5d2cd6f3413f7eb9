package dev.caravan;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import com.fasterxml.jackson.databind.JsonNode;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.client.McpSyncClient;
import io.modelcontextprotocol.client.transport.HttpClientStreamableHttpTransport;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

import dev.caravan.support.GatewayProcess;
import dev.caravan.support.ManagedProcess;
import dev.caravan.support.McpHttp;
import dev.caravan.support.TestPorts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The packaged demo ({@code java -jar target/caravan-demo.jar}): the gateway in front of its demo backends and the
 * official server-everything from npm, used by real clients: the MCP TypeScript SDK, the MCP Inspector CLI and the Java
 * SDK.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class McpClientsIT {

    private static final Path NODE = Path.of("src", "test", "node");
    private static final Path INSPECTOR = NODE.resolve("node_modules/@modelcontextprotocol/inspector-cli/build");

    private final GatewayProcess gateway = new GatewayProcess();
    private final int port = gateway.port;
    private final int everythingPort = TestPorts.free();
    private final int sdk2Port = TestPorts.free();
    private final int sdk26Port = TestPorts.free();
    private ManagedProcess everything;
    private ManagedProcess sdk2;
    private ManagedProcess sdk26;

    private String url() {
        return "http://127.0.0.1:" + port + "/mcp";
    }

    private ManagedProcess startEverything() throws Exception {
        return ManagedProcess.start(List.of("node",
                        "node_modules/@modelcontextprotocol/server-everything/dist/index.js", "streamableHttp"),
                NODE, Map.of("PORT", String.valueOf(everythingPort)), "server-everything",
                line -> line.contains("listening on port")).awaitLine(30);
    }

    @BeforeAll
    void start() throws Exception {
        everything = startEverything();
        sdk2 = ManagedProcess.start(List.of("node", "ts2-server.mjs"), NODE, Map.of("PORT", String.valueOf(sdk2Port)),
                "sdk2-fixture", line -> line.contains("listening on port")).awaitLine(30);
        // the same server refusing clients of the older generation: it speaks only MCP 2026-07-28
        sdk26 = ManagedProcess.start(List.of("node", "ts2-server.mjs"), NODE, Map.of("PORT", String.valueOf(sdk26Port),
                "LEGACY", "reject"), "sdk26-fixture", line -> line.contains("listening on port")).awaitLine(30);
        gateway.env("CAMEL_MAIN_ROUTES_INCLUDE_PATTERN", "file:routes/*.camel.yaml,file:kamelets/*.kamelet.yaml,"
                                                         + "file:src/test/resources/it-routes/*.camel.yaml")
                .env("EVERYTHING_URL", "http://127.0.0.1:" + everythingPort + "/mcp")
                .env("SDK2_URL", "http://127.0.0.1:" + sdk2Port + "/mcp")
                .env("SDK26_URL", "http://127.0.0.1:" + sdk26Port + "/mcp")
                .start("gateway");
    }

    @AfterAll
    void stop() throws Exception {
        gateway.close();
        for (ManagedProcess backend : new ManagedProcess[] {everything, sdk2, sdk26}) {
            if (backend != null) {
                backend.close();
            }
        }
    }

    /** Runs a client script of src/test/node against the gateway; what it saw, the JSON object it printed last. */
    private JsonNode nodeClient(String name) throws Exception {
        ManagedProcess client = ManagedProcess.start(List.of("node", name + ".mjs", url()), NODE, Map.of(), name,
                line -> line.startsWith("{"));
        assertEquals(0, client.awaitExit(60), client::output);
        String json = client.output().lines().filter(l -> l.startsWith("{")).reduce((a, b) -> b).orElseThrow();
        return McpHttp.JSON.readTree(json);
    }

    @Test
    void typeScriptSdkClientUsesEveryBackendThroughOneEndpoint() throws Exception {
        JsonNode out = nodeClient("ts-client");

        assertEquals("caravan", out.at("/server/name").asText());
        List<String> tools = StreamSupport.stream(out.get("tools").spliterator(), false).map(JsonNode::asText).toList();
        assertTrue(tools.containsAll(List.of("knowledge-base_search_docs", "slack-conversations_search_messages",
                "slack-conversations_summarize_channel", "everything_echo",
                "everything_trigger-long-running-operation")), tools::toString);
        assertTrue(out.get("prompts").toString().contains("knowledge-base_answer_question"));
        assertTrue(out.get("prompts").toString().contains("everything_simple-prompt"));
        assertTrue(out.get("kb").asText().contains("Running agents on Kubernetes"));
        assertEquals("Echo: through the gateway", out.get("echo").asText());
        // a server of the 2026-07-28 generation (TypeScript SDK v2) behind the gateway, for a 2025 client
        assertEquals("sdk2 echo: old client", out.get("sdk2").asText(), out::toString);
        // a server of that generation only: the gateway speaks MCP 2026-07-28 to it for this 2025 client's session
        assertEquals("sdk2 echo: old client", out.get("sdk26").asText(), out::toString);
        assertEquals("counted to 2", out.at("/sdk26Count/text").asText(), out::toString);
        assertEquals(2, out.at("/sdk26Count/progress").size(), out::toString);
        assertEquals("sdk2 settings", out.get("sdk26Resource").asText(), out::toString);
        assertEquals("Hello old client", out.get("sdk26Prompt").asText(), out::toString);
        // the arguments its tool marks reached it in Mcp-Param-* headers too, set by the gateway (base64 for non-ASCII)
        assertEquals("located in Zürich old, zone 4", out.get("sdk26Locate").asText(), out::toString);
        // its multi round-trip request (input_required) became a request to this client, whose answer the gateway
        // gave the backend in the call it repeated (inputResponses)
        assertEquals("deploy: confirmed", out.get("sdk26Confirm").asText(), out::toString);
        // and when the server streams it after progress, on the same event stream
        assertEquals("ship: confirmed", out.at("/sdk26ConfirmStreamed/text").asText(), out::toString);
        assertEquals(1, out.at("/sdk26ConfirmStreamed/progress").size(), out::toString);
        assertEquals("[\"Really deploy?\",\"Really ship?\"]", out.get("elicitations").toString());

        // a request from the backend to the client (sampling) and the client's answer both crossed the gateway
        assertTrue(out.get("sampling").asText().contains("stub LLM says hi"), out::toString);
        assertTrue(out.get("samplingRequests").toString().contains("hello"), out::toString);
        // a notification on the backend's own stream reached the client through GET /mcp
        assertTrue(out.get("resourceListChanged").asBoolean(), out::toString);
        assertTrue(out.get("resources").toString().contains("everything+demo://resource/session/note.txt.gz"),
                out::toString);

        // progress from both a Java SDK server and the npm server arrives while their tools run
        for (String call : new String[] {"summarize", "longRunning"}) {
            JsonNode timed = out.get(call);
            JsonNode progress = timed.get("progress");
            assertEquals(4, progress.size(), call + ": " + timed);
            long firstAt = progress.get(0).get("at").asLong();
            long doneAt = timed.get("doneAt").asLong();
            assertTrue(doneAt - firstAt >= 600, call + ": first progress at " + firstAt + " ms, done at " + doneAt);
        }
    }

    @Test
    void typeScriptSdkV2ClientIsServedWithoutASession() throws Exception {
        JsonNode out = nodeClient("ts2-client");

        // the client's probe (server/discover) was answered, so it speaks 2026-07-28 and never initialized
        assertEquals("modern", out.get("era").asText(), out::toString);
        assertEquals("2026-07-28", out.get("version").asText());
        assertEquals("caravan", out.get("server").asText());
        assertEquals(0, out.get("sessionIds").size(), out::toString);
        // backends of the older generation (the Java SDK demo servers, server-everything) behind sessions the gateway keeps
        assertTrue(out.get("tools").toString().contains("knowledge-base_search_docs")
                   && out.get("tools").toString().contains("everything_echo"), out::toString);
        assertTrue(out.get("prompts").toString().contains("knowledge-base_answer_question"), out::toString);
        // server-everything asked this sessionless client for a sample in the middle of a call: the gateway held the
        // call, answered input_required, and gave the backend the answer the client's repeat carried
        assertTrue(out.get("sampling").asText().contains("stub LLM says hi"), out::toString);
        assertTrue(out.get("samplings").toString().contains("context: hello"), out::toString);
        assertTrue(out.get("kb").asText().contains("Running agents on Kubernetes"), out::toString);
        assertEquals("Echo: sessionless", out.get("echo").asText());
        assertTrue(out.get("slow").asText().startsWith("#support"), out::toString);
        assertEquals(3, out.get("progress").size(), out::toString);
        // and a server of its own generation (TypeScript SDK v2), reached through a session the gateway keeps
        assertEquals("sdk2 echo: new client", out.get("sdk2").asText(), out::toString);
        assertEquals("counted to 2", out.get("sdk2Count").asText(), out::toString);
        assertEquals(2, out.get("sdk2Progress").size(), out::toString);
        assertEquals("sdk2 settings", out.get("sdk2Resource").asText(), out::toString);
        // a server of this generation only, spoken to in it: its request for input (a multi round-trip request)
        // reached the client, whose answer went back to it
        assertEquals("sdk2 echo: new client", out.get("sdk26").asText(), out::toString);
        assertEquals("counted to 3", out.get("sdk26Count").asText(), out::toString);
        assertEquals(3, out.get("sdk26Progress").size(), out::toString);
        assertEquals("sdk2 settings", out.get("sdk26Resource").asText(), out::toString);
        assertEquals("Hello new client", out.get("sdk26Prompt").asText(), out::toString);
        // the client's Mcp-Param-* headers agreed with the body, and the backend got its own
        assertEquals("located in Zürich new, zone 4", out.get("sdk26Locate").asText(), out::toString);
        assertEquals("deploy: confirmed", out.get("sdk26Confirm").asText(), out::toString);
        assertEquals("[\"Really deploy?\"]", out.get("elicitations").toString());
        assertEquals("# Request and backend timeouts", out.get("resource").asText());
        assertTrue(out.get("prompt").asText().contains("what is kagent?"), out::toString);
    }

    /**
     * A multi round-trip request of a backend that speaks MCP 2026-07-28, on the wire: the keys of its questions name
     * the backend, and a retry can only answer that backend's questions, which get their own keys back.
     */
    @Test
    void aModernBackendsQuestionsAreKeyedByItsName() throws Exception {
        McpHttp c = new McpHttp(port);
        String envelope = McpHttp.envelope("{\"elicitation\":{\"form\":{}}}", "wire");
        java.util.function.Function<String, JsonNode> confirm = responses -> McpHttp.message(c.post(
                "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"sdk26_confirm\","
                + "\"arguments\":{\"what\":\"ship\"}," + responses + envelope + "}}", "MCP-Protocol-Version",
                "2026-07-28", "Mcp-Method", "tools/call", "Mcp-Name", "sdk26_confirm"));

        JsonNode asked = confirm.apply("").get("result");
        assertEquals("input_required", asked.get("resultType").asText(), asked::toString);
        List<String> keys = new ArrayList<>();
        asked.get("inputRequests").fieldNames().forEachRemaining(keys::add);
        assertEquals(List.of("sdk26:ok"), keys);
        assertEquals("elicitation/create", asked.at("/inputRequests/sdk26:ok/method").asText());
        assertFalse(asked.has("ttlMs"), "a question is not a result to cache");
        assertFalse(asked.has("_meta"), "the backend's server info stays behind the gateway");
        String accept = "{\"action\":\"accept\",\"content\":{\"ok\":true}}";
        for (String forged : new String[] {"sdk2:ok", "ok", "sdk26:"}) {
            JsonNode refused = confirm.apply("\"inputResponses\":{\"" + forged + "\":" + accept + "},");
            assertEquals(-32602, refused.at("/error/code").asInt(), refused::toString);
        }
        JsonNode done = confirm.apply("\"inputResponses\":{\"sdk26:ok\":" + accept + "},").get("result");
        assertEquals("ship: confirmed", done.at("/content/0/text").asText(), done::toString);
        assertEquals("complete", done.get("resultType").asText());
    }

    /**
     * First, before any client listed tools: the gateway does not know yet which arguments of a 2026-07-28 backend's
     * tool travel in headers too, the backend refuses the call (-32020), and the gateway lists its tools and repeats
     * the call with the headers they mark.
     */
    @Test
    @Order(1)
    void aCallToAToolNeverListedLearnsItsParamHeadersFromTheBackend() throws Exception {
        McpHttp c = new McpHttp(port);
        c.initialize(McpHttp.LATEST);
        JsonNode located = c.call("tools/call", "{\"name\":\"sdk26_locate\",\"arguments\":{\"region\":\"ap\","
                                                + "\"zone\":2}}");
        assertEquals("located in ap, zone 2", located.at("/result/content/0/text").asText(), located::toString);
    }

    /**
     * An older backend's question in the middle of a call to a 2026-07-28 client, on the wire: input_required with a
     * requestState that names the held call; the repeat must answer every question, once.
     */
    @Test
    void anOlderBackendsQuestionReachesASessionlessClientAsInputRequired() throws Exception {
        McpHttp c = new McpHttp(port);
        String envelope = McpHttp.envelope("{\"sampling\":{}}", "held");
        java.util.function.BiFunction<Integer, String, JsonNode> sample = (id, more) -> {
            java.net.http.HttpResponse<String> r = c.post("{\"jsonrpc\":\"2.0\",\"id\":" + id + ",\"method\":"
                    + "\"tools/call\",\"params\":{\"name\":\"everything_trigger-sampling-request\",\"arguments\":"
                    + "{\"prompt\":\"held\"}," + more + envelope + "}}", "MCP-Protocol-Version", "2026-07-28",
                    "Mcp-Method", "tools/call", "Mcp-Name", "everything_trigger-sampling-request");
            return McpHttp.message(r);
        };
        JsonNode asked = sample.apply(1, "").get("result");
        assertEquals("input_required", asked.get("resultType").asText(), asked::toString);
        assertEquals("sampling/createMessage", asked.at("/inputRequests/everything:q0/method").asText(),
                asked::toString);
        String state = "\"requestState\":" + asked.get("requestState") + ",";
        JsonNode unanswered = sample.apply(2, state + "\"inputResponses\":{},");
        assertEquals(-32602, unanswered.at("/error/code").asInt(), unanswered::toString);
        String answer = "\"inputResponses\":{\"everything:q0\":{\"role\":\"assistant\",\"content\":{\"type\":"
                        + "\"text\",\"text\":\"held answer\"},\"model\":\"stub\",\"stopReason\":\"endTurn\"}},";
        JsonNode done = sample.apply(3, state + answer);
        assertEquals(3, done.get("id").asInt(), done::toString);
        assertTrue(done.at("/result/content/0/text").asText().contains("held answer"), done::toString);
        JsonNode replayed = sample.apply(4, state + answer);
        assertEquals(-32602, replayed.at("/error/code").asInt(), "a requestState is good once: " + replayed);
    }

    /**
     * A 2026-only backend's question to a client with a session, on the wire: a request of the server's on the call's
     * stream, whose id only this session's answer fits, once.
     */
    @Test
    void aQuestionForAClientWithASessionTakesOneAnswerFromItsSession() throws Exception {
        McpHttp c = new McpHttp(port);
        c.initialize(McpHttp.LATEST, "{\"elicitation\":{}}", "bridge-wire");
        McpHttp other = new McpHttp(port);
        other.initialize(McpHttp.LATEST, "{\"elicitation\":{}}", "bridge-other");
        java.net.http.HttpResponse<java.io.InputStream> call = c.open(c.request("{\"jsonrpc\":\"2.0\",\"id\":41,"
                + "\"method\":\"tools/call\",\"params\":{\"name\":\"sdk26_confirm\",\"arguments\":{\"what\":\"wire\"}}}")
                .build());
        try (java.io.BufferedReader events = new java.io.BufferedReader(new java.io.InputStreamReader(call.body(),
                java.nio.charset.StandardCharsets.UTF_8))) {
            assertEquals("text/event-stream", call.headers().firstValue("Content-Type").orElse(""));
            JsonNode question = McpHttp.JSON.readTree(events.lines().filter(l -> l.startsWith("data: ")).findFirst()
                    .orElseThrow().substring(6));
            assertEquals("elicitation/create", question.get("method").asText(), question::toString);
            assertEquals("Really wire?", question.at("/params/message").asText());
            String answer = "{\"jsonrpc\":\"2.0\",\"id\":%s,\"result\":{\"action\":\"accept\",\"content\":"
                            + "{\"ok\":true}}}";
            // another session cannot answer it, nor can a made-up id
            assertEquals(400, other.post(answer.formatted(question.get("id"))).statusCode());
            assertEquals(400, c.post(answer.formatted("\"forged\"")).statusCode());
            assertEquals(202, c.post(answer.formatted(question.get("id"))).statusCode());
            assertEquals(400, c.post(answer.formatted(question.get("id"))).statusCode(), "answered once only");
            JsonNode result = McpHttp.JSON.readTree(events.lines().filter(l -> l.startsWith("data: ")).findFirst()
                    .orElseThrow().substring(6));
            assertEquals(41, result.get("id").asInt(), result::toString);
            assertEquals("wire: confirmed", result.at("/result/content/0/text").asText(), result::toString);
        }
    }

    /**
     * A 2026-07-28 client's Mcp-Param-* headers must repeat the arguments the tool marks (as the gateway learned from
     * tools/list): an intermediary in front of the gateway may have routed on them.
     */
    @Test
    void aModernClientsParamHeadersMustAgreeWithItsArguments() throws Exception {
        McpHttp c = new McpHttp(port);
        String envelope = McpHttp.envelope("{}", "wire");
        McpHttp.message(c.post("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":{" + envelope
                + "}}", "MCP-Protocol-Version", "2026-07-28", "Mcp-Method", "tools/list"));
        java.util.function.Function<String[], java.net.http.HttpResponse<String>> locate = params -> {
            String[] headers = new String[6 + params.length];
            System.arraycopy(new String[] {"MCP-Protocol-Version", "2026-07-28", "Mcp-Method", "tools/call", "Mcp-Name",
                "sdk26_locate"}, 0, headers, 0, 6);
            System.arraycopy(params, 0, headers, 6, params.length);
            return c.post("{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":"
                          + "\"sdk26_locate\",\"arguments\":{\"region\":\"eu\",\"zone\":7}," + envelope + "}}", headers);
        };
        java.net.http.HttpResponse<String> agreed = locate.apply(new String[] {"Mcp-Param-Region", "eu",
            "Mcp-Param-Zone", "7.0"});
        assertEquals("located in eu, zone 7", McpHttp.message(agreed).at("/result/content/0/text").asText(),
                agreed::body);
        for (String[] wrong : new String[][] {{"Mcp-Param-Region", "us", "Mcp-Param-Zone", "7"},
            {"Mcp-Param-Zone", "7"}, {"Mcp-Param-Region", "eu", "Mcp-Param-Zone", "8"}}) {
            java.net.http.HttpResponse<String> refused = locate.apply(wrong);
            assertEquals(400, refused.statusCode(), refused::body);
            assertEquals(-32020, McpHttp.message(refused).at("/error/code").asInt(), refused::body);
        }
    }

    @Test
    void theServerToClientStreamResumesFromTheLastEventId() throws Exception {
        McpHttp c = new McpHttp(port);
        c.initialize(McpHttp.LATEST);
        String gzip = "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":"
                      + "\"everything_gzip-file-as-resource\",\"arguments\":{\"name\":\"%s\","
                      + "\"data\":\"data:text/plain;base64,aGk=\"}}}";
        String lastEventId;
        try (McpHttp.OpenStream stream = c.openStream(null).awaitOpen(10)) {
            c.post(gzip.formatted("first.gz"));
            stream.awaitData("notifications/resources/list_changed", 10);
            lastEventId = stream.lastEventId();
        }
        // announced while no stream is open; server-everything keeps it for a client that resumes
        c.post(gzip.formatted("second.gz"));
        try (McpHttp.OpenStream resumed = c.openStream(lastEventId)) {
            resumed.awaitData("notifications/resources/list_changed", 10);
            assertTrue(McpHttp.JSON.readTree(java.util.Base64.getUrlDecoder().decode(resumed.lastEventId()))
                    .has("everything"), "the composite event id names the backend it resumes");
        }
    }

    /**
     * server-everything restarted (stopped and started on its port, every session lost; it then answers 400 "No valid
     * session ID"): the same gateway session goes on, with the backend initialized again as the client initialized
     * it (it declared sampling, so the sampling tool is there).
     */
    @Test
    void aRestartedServerComesBackForTheSameSession() throws Exception {
        McpHttp c = new McpHttp(port);
        c.initialize(McpHttp.LATEST, "{\"sampling\":{}}", "restart-client");
        String echo = "{\"name\":\"everything_echo\",\"arguments\":{\"message\":\"%s\"}}";
        assertEquals("Echo: before", c.call("tools/call", echo.formatted("before")).at("/result/content/0/text")
                .asText());
        everything.close();
        everything = startEverything();

        JsonNode after = c.call("tools/call", echo.formatted("after"));
        assertEquals("Echo: after", after.at("/result/content/0/text").asText(), after::toString);
        List<String> tools = StreamSupport.stream(c.call("tools/list", null).at("/result/tools").spliterator(), false)
                .map(t -> t.get("name").asText()).toList();
        assertTrue(tools.containsAll(List.of("everything_echo", "everything_trigger-sampling-request",
                "knowledge-base_search_docs")), tools::toString);

        // everything takes resource subscriptions, knowledge-base does not: each gets what it can handle
        assertTrue(c.initialize(McpHttp.LATEST).at("/capabilities/resources/subscribe").asBoolean());
        String uri = StreamSupport.stream(c.call("resources/list", null).at("/result/resources").spliterator(), false)
                .map(r -> r.get("uri").asText()).filter(u -> u.startsWith("everything+")).findFirst().orElseThrow();
        JsonNode subscribed = c.call("resources/subscribe", "{\"uri\":\"" + uri + "\"}");
        assertTrue(subscribed.get("result").isObject(), subscribed::toString);
        JsonNode refused = c.call("resources/subscribe", "{\"uri\":\"knowledge-base+docs://kagent/tool-servers\"}");
        assertEquals(-32602, refused.at("/error/code").asInt(), refused::toString);
        assertTrue(c.initialize(McpHttp.LATEST).at("/capabilities/tasks").isMissingNode(),
                "server-everything's tasks have no route through the gateway");
    }

    @Test
    void inspectorCliListsAndCallsToolsOfEveryBackend() throws Exception {
        JsonNode tools = inspector("--method", "tools/list").get("tools");
        List<String> names = StreamSupport.stream(tools.spliterator(), false).map(t -> t.get("name").asText()).toList();
        assertTrue(names.contains("knowledge-base_search_docs") && names.contains("everything_get-sum"),
                names::toString);

        JsonNode sum = inspector("--method", "tools/call", "--tool-name", "everything_get-sum",
                "--tool-arg", "a=19", "b=23");
        assertTrue(sum.at("/content/0/text").asText().contains("42"), sum::toString);
        JsonNode slack = inspector("--method", "tools/call", "--tool-name", "slack-conversations_search_messages",
                "--tool-arg", "query=Vertex");
        assertTrue(slack.at("/content/0/text").asText().contains("org header picks the GCP project"), slack::toString);
        JsonNode read = inspector("--method", "resources/read", "--uri", "knowledge-base+docs://kagent/tool-servers");
        assertEquals("knowledge-base+docs://kagent/tool-servers", read.at("/contents/0/uri").asText());
    }

    private JsonNode inspector(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("node", "index.js", url(), "--transport", "http"));
        command.addAll(List.of(args));
        ManagedProcess cli = ManagedProcess.start(command, INSPECTOR, Map.of(), "inspector-cli", line -> false);
        assertEquals(0, cli.awaitExit(60), cli::output);
        String out = cli.output();
        return McpHttp.JSON.readTree(out.substring(out.indexOf('{')));
    }

    @Test
    void javaSdkClientSeesProgressAndResults() throws InterruptedException {
        List<Long> progressAt = new java.util.concurrent.CopyOnWriteArrayList<>();
        // the SDK hands notifications to the consumer on another thread, which may run after the call returned
        java.util.concurrent.CountDownLatch allProgress = new java.util.concurrent.CountDownLatch(3);
        long start = System.nanoTime();
        HttpClientStreamableHttpTransport transport = HttpClientStreamableHttpTransport
                .builder("http://127.0.0.1:" + port).endpoint("/mcp").build();
        try (McpSyncClient client = McpClient.sync(transport).requestTimeout(Duration.ofSeconds(30))
                .capabilities(McpSchema.ClientCapabilities.builder().elicitation().build())
                .elicitation(asked -> new McpSchema.ElicitResult(McpSchema.ElicitResult.Action.ACCEPT,
                        Map.of("ok", asked.message().startsWith("Really"))))
                .progressConsumer(p -> {
                    progressAt.add((System.nanoTime() - start) / 1_000_000);
                    allProgress.countDown();
                }).build()) {
            McpSchema.InitializeResult init = client.initialize();
            assertEquals("caravan", init.serverInfo().name());
            List<String> tools = client.listTools().tools().stream().map(McpSchema.Tool::name).toList();
            assertTrue(tools.contains("everything_echo") && tools.contains("slack-conversations_summarize_channel"));
            McpSchema.CallToolResult echo = client.callTool(new McpSchema.CallToolRequest("everything_echo",
                    Map.of("message", "java")));
            assertEquals("Echo: java", ((McpSchema.TextContent) echo.content().get(0)).text());
            // a server that speaks only MCP 2026-07-28, spoken to in it by the gateway
            McpSchema.CallToolResult modern = client.callTool(new McpSchema.CallToolRequest("sdk26_echo",
                    Map.of("text", "java")));
            assertEquals("sdk2 echo: java", ((McpSchema.TextContent) modern.content().get(0)).text());
            // its question (input_required) asked of this client as a request of the server's, and answered
            McpSchema.CallToolResult confirmed = client.callTool(new McpSchema.CallToolRequest("sdk26_confirm",
                    Map.of("what", "release")));
            assertEquals("release: confirmed", ((McpSchema.TextContent) confirmed.content().get(0)).text());

            McpSchema.CallToolResult slow = client.callTool(McpSchema.CallToolRequest.builder()
                    .name("slack-conversations_summarize_channel")
                    .arguments(Map.of("channel", "eng-gateway", "steps", 3, "stepMillis", 300))
                    .progressToken("java-1").build());
            long doneAt = (System.nanoTime() - start) / 1_000_000;
            assertTrue(((McpSchema.TextContent) slow.content().get(0)).text().startsWith("#eng-gateway"));
            assertTrue(allProgress.await(10, java.util.concurrent.TimeUnit.SECONDS), progressAt::toString);
            assertEquals(3, progressAt.size(), progressAt::toString);
            assertTrue(doneAt - progressAt.get(0) >= 400, "progress " + progressAt + ", done at " + doneAt);
        }
    }

    @Test
    void aSecondGatewayOnTheSamePortFailsToStartWithAClearMessage() throws Exception {
        try (ManagedProcess second = new GatewayProcess().env("CARAVAN_HTTP_PORT", String.valueOf(port))
                .startUnchecked("gateway-port-taken")) {
            assertEquals(1, second.awaitExit(60), second::output);
            assertTrue(second.output().contains("port " + port + " (camel.server.port)")
                       && second.output().contains("is not available"), second::output);
        }
    }
}
