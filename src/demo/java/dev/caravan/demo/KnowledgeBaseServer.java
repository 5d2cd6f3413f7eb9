package dev.caravan.demo;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.json.McpJsonDefaults;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.server.McpServer;
import io.modelcontextprotocol.server.McpStatelessServerFeatures;
import io.modelcontextprotocol.server.McpStatelessSyncServer;
import io.modelcontextprotocol.server.transport.HttpServletStatelessServerTransport;
import io.modelcontextprotocol.spec.McpSchema;
import jakarta.servlet.http.HttpServlet;

/**
 * Demo MCP server "knowledge-base": a stateless server over a small bundled doc set, with a {@code search_docs} tool
 * (arguments {@code query} and {@code product}), the docs as resources and a resource template, and one prompt.
 */
final class KnowledgeBaseServer {

    record Doc(String product, String slug, String title, String text) {
        String uri() {
            return "docs://" + product + "/" + slug;
        }
    }

    private final List<Doc> docs;
    private final HttpServletStatelessServerTransport transport;
    private final McpStatelessSyncServer server;

    KnowledgeBaseServer() {
        docs = load();
        McpJsonMapper json = McpJsonDefaults.getMapper();
        transport = HttpServletStatelessServerTransport.builder().messageEndpoint("/mcp").build();
        Set<String> products = docs.stream().map(Doc::product).collect(Collectors.toCollection(java.util.TreeSet::new));
        McpSchema.Tool search = McpSchema.Tool.builder()
                .name("search_docs")
                .title("Search product documentation")
                .description("Finds documentation pages whose title or text contain the words of the query. "
                             + "Narrow the search with product, one of: " + String.join(", ", products) + ".")
                .inputSchema(json, """
                        {"type": "object",
                         "properties": {
                           "query": {"type": "string", "description": "words to look for"},
                           "product": {"type": "string", "description": "only pages of this product"}
                         },
                         "required": ["query"]}""")
                .build();
        server = McpServer.sync(transport)
                .serverInfo("knowledge-base", "1.0.0")
                .instructions("Search the product documentation with search_docs; read a page with its docs:// URI.")
                .capabilities(McpSchema.ServerCapabilities.builder().tools(false).resources(false, false)
                        .prompts(false).build())
                .tools(new McpStatelessServerFeatures.SyncToolSpecification(search, (ctx, req) -> search(req)))
                .resources(docs.stream().map(d -> new McpStatelessServerFeatures.SyncResourceSpecification(
                        McpSchema.Resource.builder().uri(d.uri()).name(d.slug()).title(d.title())
                                .mimeType("text/markdown").build(),
                        (ctx, req) -> read(req.uri()))).toList())
                .resourceTemplates(new McpStatelessServerFeatures.SyncResourceTemplateSpecification(
                        McpSchema.ResourceTemplate.builder().uriTemplate("docs://{product}/{slug}").name("doc")
                                .title("Documentation page").mimeType("text/markdown").build(),
                        (ctx, req) -> read(req.uri())))
                .prompts(new McpStatelessServerFeatures.SyncPromptSpecification(
                        new McpSchema.Prompt("answer_question", "Answer a product question",
                                "Answer a question from the documentation",
                                List.of(new McpSchema.PromptArgument("question", "the question to answer", true),
                                        new McpSchema.PromptArgument("product", "the product it is about", false))),
                        (ctx, req) -> prompt(req)))
                .build();
    }

    HttpServlet servlet() {
        return transport;
    }

    void close() {
        server.close();
    }

    private static List<Doc> load() {
        try (InputStream in = KnowledgeBaseServer.class.getResourceAsStream("/demo/knowledge-base.json")) {
            return new ObjectMapper().readValue(in, new TypeReference<List<Doc>>() {
            });
        } catch (IOException e) {
            throw new IllegalStateException("demo doc set missing", e);
        }
    }

    private McpSchema.CallToolResult search(McpSchema.CallToolRequest req) {
        Map<String, Object> args = req.arguments() == null ? Map.of() : req.arguments();
        String query = String.valueOf(args.getOrDefault("query", "")).toLowerCase(Locale.ROOT);
        Object product = args.get("product");
        List<String> words = Arrays.stream(query.split("\\W+")).filter(w -> w.length() > 2).toList();
        List<Doc> hits = new ArrayList<>();
        for (Doc d : docs) {
            String text = (d.title() + " " + d.text()).toLowerCase(Locale.ROOT);
            if ((product == null || d.product().equals(product)) && words.stream().anyMatch(text::contains)) {
                hits.add(d);
            }
        }
        McpSchema.CallToolResult.Builder result = McpSchema.CallToolResult.builder();
        if (hits.isEmpty()) {
            return result.addTextContent("No documentation matches '" + query + "'"
                                         + (product == null ? "" : " for product " + product) + ".").build();
        }
        result.addTextContent(hits.size() + " page(s) match:\n" + hits.stream()
                .map(d -> "- " + d.title() + " (" + d.product() + "): " + d.text()).collect(Collectors.joining("\n")));
        for (Doc d : hits) {
            result.addContent(McpSchema.ResourceLink.builder().uri(d.uri()).name(d.slug()).title(d.title())
                    .mimeType("text/markdown").build());
        }
        return result.build();
    }

    private McpSchema.ReadResourceResult read(String uri) {
        for (Doc d : docs) {
            if (d.uri().equals(uri)) {
                return new McpSchema.ReadResourceResult(List.of(new McpSchema.TextResourceContents(uri,
                        "text/markdown", "# " + d.title() + "\n\n" + d.text())));
            }
        }
        throw new io.modelcontextprotocol.spec.McpError(new McpSchema.JSONRPCResponse.JSONRPCError(
                -32002, "Resource not found: " + uri, null));
    }

    private McpSchema.GetPromptResult prompt(McpSchema.GetPromptRequest req) {
        Map<String, Object> args = req.arguments() == null ? Map.of() : req.arguments();
        String question = String.valueOf(args.getOrDefault("question", ""));
        Object product = args.get("product");
        String text = "Answer this question using the search_docs tool"
                      + (product == null ? "" : " with product \"" + product + "\"")
                      + ", and cite the docs:// URIs you used.\n\nQuestion: " + question;
        return new McpSchema.GetPromptResult("Answer from the documentation",
                List.of(new McpSchema.PromptMessage(McpSchema.Role.USER, new McpSchema.TextContent(text))));
    }
}
