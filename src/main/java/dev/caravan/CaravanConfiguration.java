package dev.caravan;

import dev.caravan.camel.AfterContextStop;
import dev.caravan.camel.CamelVersionCheck;
import dev.caravan.camel.TrafficServerFactory;
import dev.caravan.camel.ReloadingRoutesLoader;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Expression;
import org.apache.camel.Predicate;
import org.apache.camel.Processor;
import org.apache.camel.component.platform.http.PlatformHttpConstants;
import dev.caravan.camel.EventLoopPlatformHttpEngine;
import org.apache.camel.model.Model;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.spi.RoutesLoader;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.ExpressionAdapter;
import org.apache.camel.util.TimeUtils;

import dev.caravan.core.Secrets;
import static dev.caravan.core.Settings.csv;
import dev.caravan.llm.GoogleAccessTokens;
import dev.caravan.llm.LlmErrorReply;
import dev.caravan.llm.LlmModels;
import dev.caravan.llm.LlmProviders;
import dev.caravan.llm.LlmRoutedProvider;
import dev.caravan.llm.LlmUsageRecorder;
import dev.caravan.llm.WireApis;
import dev.caravan.llm.PriceTable;
import dev.caravan.mcp.InputBridge;
import dev.caravan.mcp.JsonRpc;
import dev.caravan.mcp.LiveQuestions;
import dev.caravan.mcp.McpAnswerRouter;
import dev.caravan.mcp.McpBackendCall;
import dev.caravan.mcp.McpBackendRequest;
import dev.caravan.mcp.McpBackends;
import dev.caravan.mcp.McpBroadcast;
import dev.caravan.mcp.McpCall;
import dev.caravan.mcp.McpCallReply;
import dev.caravan.mcp.McpCallRouter;
import dev.caravan.mcp.McpDiscovery;
import dev.caravan.mcp.McpDispatch;
import dev.caravan.mcp.McpErrorReply;
import dev.caravan.mcp.McpInitializeMerge;
import dev.caravan.mcp.McpListMerge;
import dev.caravan.mcp.McpLocalReplies;
import dev.caravan.mcp.McpMethod;
import dev.caravan.mcp.McpModernSessions;
import dev.caravan.mcp.McpOutlierDetection;
import dev.caravan.mcp.McpRequestCheck;
import dev.caravan.mcp.McpRoutedBackend;
import dev.caravan.mcp.McpSessionCheck;
import dev.caravan.mcp.McpSessions;
import dev.caravan.mcp.McpStreams;
import dev.caravan.mcp.McpTelemetry;
import dev.caravan.mcp.ToolParamHeaders;
import dev.caravan.camel.InlineExecutor;
import dev.caravan.proxy.TrafficListeners;
import dev.caravan.proxy.EdgeRefusal;
import dev.caravan.proxy.UpstreamCall;
import dev.caravan.proxy.UpstreamPool;
import dev.caravan.telemetry.AccessLog;
import dev.caravan.telemetry.GatewayMetrics;
import dev.caravan.telemetry.Traces;

/**
 * The beans the route files refer to by name, built from {@code config/application.properties}. Every property has a
 * default here and can be overridden by an environment variable (upper case, '.' and '-' as '_').
 */
public final class CaravanConfiguration implements CamelConfiguration {

    private static final String GOOGLE_METADATA =
            "http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token";

    @Override
    public void configure(CamelContext context) throws Exception {
        CamelVersionCheck.check(context.getVersion());
        PropertiesComponent props = context.getPropertiesComponent();
        Registry registry = context.getRegistry();
        context.getCamelContextExtension().addContextPlugin(RoutesLoader.class, new ReloadingRoutesLoader());
        Secrets secrets = new Secrets(Path.of(props.resolveProperty("caravan.secrets.dir").orElse("config/secrets")),
                System.getenv(), millis(props, "caravan.secrets.reread-interval", "1s"));
        props.addPropertiesFunction(secrets);
        registry.bind("secrets", secrets);

        // One Vert.x for the listener (platform-http finds it in the registry) and the upstream client. Each request
        // holds a worker thread while its route runs, streams included, hence a pool far above Vert.x's default 20.
        Vertx vertx = Vertx.vertx(new VertxOptions()
                .setWorkerPoolSize(intProp(props, "caravan.http.worker-pool-size", 400))
                // a relayed stream keeps its worker for as long as the stream lasts; that is not a blocked thread
                .setMaxWorkerExecuteTime(1).setMaxWorkerExecuteTimeUnit(java.util.concurrent.TimeUnit.DAYS));
        registry.bind("vertx", vertx);
        registry.bind(PlatformHttpConstants.PLATFORM_HTTP_ENGINE_NAME,
                new EventLoopPlatformHttpEngine(intProp(props, "camel.server.port", 3000)));
        // once the last request finished: its access log line written, then Vert.x closed
        context.getManagementStrategy().addEventNotifier(new AfterContextStop(AccessLog::flush));
        context.getManagementStrategy().addEventNotifier(new AfterContextStop(
                () -> vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS)));
        UpstreamPool upstreamPool = new UpstreamPool(vertx, new HttpClientOptions()
                        .setKeepAlive(true)
                        // shorter than the 5 s idle timeout of Node servers, so we never reuse a connection they close
                        .setKeepAliveTimeout((int) (millis(props, "caravan.upstream.keep-alive-timeout", "4s") / 1000))
                        .setTcpNoDelay(true),
                new PoolOptions().setHttp1MaxSize(intProp(props, "caravan.upstream.max-connections-per-host", 500)));
        registry.bind("inlineExecutor", new InlineExecutor());
        Traces traces = Traces.setUp(context, props.resolveProperty("caravan.tracing.enabled").orElse("auto"),
                props.resolveProperty("caravan.tracing.exclude-patterns").orElse(""), System.getenv());
        registry.bind("traces", traces);
        UpstreamCall upstreamCall = new UpstreamCall(vertx, upstreamPool,
                intProp(props, "caravan.upstream.max-answer-bytes", 16 * 1024 * 1024), secrets, traces);
        registry.bind("upstreamCall", upstreamCall);
        context.addStartupListener(new TrafficListeners(vertx,
                intProp(props, "camel.server.port", 3000),
                intProp(props, "caravan.http.event-loops", Runtime.getRuntime().availableProcessors()),
                props.resolveProperty("camel.server.max-body-size").map(String::strip).map(Long::parseLong)
                        .orElse(Long.MAX_VALUE)));

        AccessLog.configure(props.resolveProperty("caravan.access-log.file").orElse(""),
                Boolean.parseBoolean(props.resolveProperty("caravan.access-log.bodies").orElse("false")));
        GatewayMetrics metrics = new GatewayMetrics(
                Boolean.parseBoolean(props.resolveProperty("caravan.observe.requests").orElse("true")));
        registry.bind("gatewayMetrics", metrics);
        nameTemplatedRoutes(context, McpBackends.TEMPLATE, "llm-provider");
        long fanOutMillis = millis(props, "caravan.mcp.fan-out-timeout", "10s");
        registry.bind("mcpOutlierDetection", new McpOutlierDetection(context, vertx, metrics, traces, fanOutMillis,
                millis(props, "caravan.mcp.backend-down.backoff", "5s"),
                millis(props, "caravan.mcp.backend-down.max-backoff", "60s")));
        McpBackends backends = new McpBackends();
        registry.bind("mcpBackends", backends);
        context.getManagementStrategy().addEventNotifier(backends);
        long sessionTtl = millis(props, "caravan.mcp.session.ttl", "24h");
        McpSessions sessions = new McpSessions(
                secrets.resolve(props.resolveProperty("caravan.mcp.session.key").orElse("")),
                secrets.resolve(props.resolveProperty("caravan.mcp.session.previous-key").orElse("")),
                sessionTtl);
        registry.bind("mcpRequestCheck", new McpRequestCheck(
                Set.copyOf(csv(props.resolveProperty("caravan.mcp.allowed-origins").orElse(""))),
                millis(props, "caravan.mcp.request-timeout", "300s")));
        registry.bind("mcpSessionCheck", new McpSessionCheck(sessions));
        ToolParamHeaders toolHeaders = new ToolParamHeaders();
        registry.bind("mcpModernRequest", (Predicate) exchange -> McpCall.of(exchange).modern() != null);
        registry.bind("mcpModernSession", new McpModernSessions(context, backends, sessions, sessionTtl));
        registry.bind("mcpBackendRequest", new McpBackendRequest(backends, fanOutMillis, traces));
        registry.bind("mcpBackendCall", new McpBackendCall(upstreamCall, sessions, toolHeaders, metrics, traces,
                fanOutMillis));
        McpDiscovery discovery = new McpDiscovery(backends, fanOutMillis, traces);
        context.getManagementStrategy().addEventNotifier(discovery);
        registry.bind("mcpBackendsDiscovered", discovery.readiness());
        registry.bind("mcpInitializeMerge", new McpInitializeMerge(metrics, sessions, version(),
                Boolean.parseBoolean(props.resolveProperty("caravan.mcp.qualify-names").orElse("true"))));
        McpListMerge listMerge = new McpListMerge(metrics, sessions, toolHeaders,
                millis(props, "caravan.mcp.list-ttl-max", "5m"));
        registry.bind("mcpListMerge", listMerge);
        registry.bind("mcpOpenCursor", (Processor) listMerge::openCursor);
        // the fan-outs' recipient lists: an Expression, so the route calls it without Camel's bean method binding
        registry.bind("mcpFanOutBackends", expression(backends::recipients));
        registry.bind("mcpBroadcast", new McpBroadcast(metrics, sessions));
        registry.bind("mcpCallRouter", new McpCallRouter(backends, sessions, toolHeaders,
                new LiveQuestions(vertx, sessions, millis(props, "caravan.mcp.request-timeout", "300s")), traces));
        InputBridge inputBridge = new InputBridge(vertx, sessions, traces,
                millis(props, "caravan.mcp.request-timeout", "300s"));
        registry.bind("mcpCallReply", new McpCallReply(inputBridge));
        McpAnswerRouter answerRouter = new McpAnswerRouter(backends, sessions, traces, inputBridge);
        registry.bind("mcpAnswerRouter", answerRouter);
        registry.bind("mcpAnswerAccepted", (Processor) answerRouter::accepted);
        McpStreams streams = new McpStreams(metrics, vertx, backends, sessions,
                millis(props, "caravan.mcp.stream-open-wait", "250ms"));
        registry.bind("mcpStreams", streams);
        registry.bind("mcpOpenStream", (Processor) streams::open);
        registry.bind("mcpStreamBackends", expression(streams::recipients));
        registry.bind("mcpLocalReply", (Processor) new McpLocalReplies()::reply);
        registry.bind("mcpRoutedBackend", new McpRoutedBackend());
        for (McpMethod.Dispatch dispatch : McpMethod.Dispatch.values()) {
            registry.bind(McpDispatch.beanName(dispatch), new McpDispatch(dispatch));
        }
        registry.bind("mcpErrorReply", new McpErrorReply(metrics));
        McpTelemetry mcpTelemetry = new McpTelemetry(metrics, traces);
        registry.bind("mcpArrived", mcpTelemetry.arrived());
        registry.bind("mcpRecord", mcpTelemetry.record());
        EdgeRefusal.register("mcp", (path, status, message) -> path.equals("/mcp") || path.startsWith("/mcp/")
                ? JsonRpc.error(null, status == 413 ? JsonRpc.INVALID_REQUEST : JsonRpc.SERVER_ERROR, message).toString()
                : null);

        registry.bind("llmProviders", new LlmProviders(upstreamCall, new GoogleAccessTokens(vertx,
                props.resolveProperty("caravan.llm.google.metadata-url").orElse(GOOGLE_METADATA)), vertx, traces));
        registry.bind("llmModels", new LlmModels(prefixed(props, "caravan.llm.alias.")));
        registry.bind("llmRoutedProvider", new LlmRoutedProvider());
        WireApis apis = WireApis.of(props.resolveProperty("caravan.llm.apis").orElse(""),
                props.resolveProperty("caravan.llm.api-paths").orElse(WireApis.DEFAULT_PATHS));
        registry.bind("llmWireApis", apis);
        EdgeRefusal.register("llm", apis::edgeBody);
        EdgeRefusal.registerDefault(apis::defaultBody);
        registry.bind("llmErrorReply", new LlmErrorReply());
        registry.bind("llmUnknownOrg", (Processor) LlmErrorReply::unknownOrg);
        LlmUsageRecorder llmUsage = new LlmUsageRecorder(metrics, PriceTable.bundled(priceOverrides(props)), traces);
        registry.bind("llmArrived", llmUsage.arrived());
        registry.bind("llmRecord", llmUsage.record());
    }

    /**
     * Camel does not carry a template's route id over to the routes made from it, so a templatedRoute of these
     * kamelets would get a generated id ("route3"); this names it after its {@code name} parameter instead (the MCP
     * backend or LLM provider it declares), unless the declaration gives a routeId of its own.
     */
    private static void nameTemplatedRoutes(CamelContext context, String... templates) {
        Model model = context.getCamelContextExtension().getContextPlugin(Model.class);
        for (String template : templates) {
            model.addRouteTemplateDefinitionConverter(template, (definition, parameters) -> {
                RouteDefinition route = definition.asRouteDefinition();
                Object name = parameters.get("name");
                if (name != null) {
                    route.setId(name.toString());
                }
                return route;
            });
        }
    }

    /** The values of every key under {@code prefix}, by the rest of the key. */
    private static Map<String, String> prefixed(PropertiesComponent props, String prefix) {
        Map<String, String> values = new HashMap<>();
        // (the Properties Camel returns keeps its entries apart from Hashtable's, so forEach would see none)
        Properties found = props.loadProperties(key -> key.startsWith(prefix));
        for (Object key : found.keySet()) {
            values.put(key.toString().substring(prefix.length()), props.resolveProperty(key.toString()).orElse("")
                    .strip());
        }
        return values;
    }

    /** {@code caravan.llm.price.<model prefix>.<input-mtok|output-mtok|...>} as the price table takes them. */
    private static Map<String, Map<String, Double>> priceOverrides(PropertiesComponent props) {
        Map<String, Map<String, Double>> prices = new HashMap<>();
        prefixed(props, "caravan.llm.price.").forEach((key, value) -> {
            int dot = key.lastIndexOf('.');
            if (dot <= 0) {
                throw new IllegalArgumentException("caravan.llm.price." + key + ": expected <model>.<input-mtok|"
                                                   + "output-mtok|cache-read-mtok|cache-write-mtok>");
            }
            prices.computeIfAbsent(key.substring(0, dot), m -> new HashMap<>())
                    .put(key.substring(dot + 1).replace('-', '_'), Double.parseDouble(value));
        });
        return prices;
    }

    private static String version() {
        String v = CaravanConfiguration.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    private static int intProp(PropertiesComponent props, String key, int fallback) {
        return props.resolveProperty(key).map(String::strip).map(Integer::parseInt).orElse(fallback);
    }

    /** A route's expression (a recipient list) computed by a method, called without Camel's bean binding. */
    private static Expression expression(Function<Exchange, Object> of) {
        return new ExpressionAdapter() {
            @Override
            public Object evaluate(Exchange exchange) {
                return of.apply(exchange);
            }
        };
    }

    private static long millis(PropertiesComponent props, String key, String fallback) {
        return TimeUtils.toMilliSeconds(props.resolveProperty(key).orElse(fallback).strip());
    }
}
