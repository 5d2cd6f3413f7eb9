// The MCP server the official conformance suite (npm @modelcontextprotocol/conformance 0.2.0-alpha.12, server
// scenarios at spec version 2026-07-28) is run against, alone and behind the gateway. It speaks ONLY 2026-07-28
// (createMcpHandler with legacy: "reject", on the TypeScript SDK v2 server 2.4.0) and implements the test_* tools,
// resources and prompts the scenarios call, as their descriptions ask: content of every kind, progress, logging that
// honours the request's log level, list changes for subscriptions/listen, multi round-trip requests (input_required)
// of every kind with an HMAC-sealed requestState, a tool that needs a client capability, a tool with a header-mirrored
// argument (x-mcp-header). PORT sets the port.
import { createServer } from "node:http";
import { randomBytes } from "node:crypto";
import {
  createMcpHandler, McpServer, ResourceTemplate, inputRequired, acceptedContent, inputResponse, completable,
  fromJsonSchema, createRequestStateCodec, CLIENT_CAPABILITIES_META_KEY,
} from "@modelcontextprotocol/server";
import { toNodeHandler, localhostHostValidation } from "@modelcontextprotocol/node";
import * as z from "zod/v4";

const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
const WAV = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAEAfAAABAAgAZGF0YQIAAACAgA==";
const NO_ARGS = z.object({});

// One process serves every round of a flow, so a per-process key is enough; a tampered state fails the MAC (-32602).
const state = createRequestStateCodec({ key: randomBytes(32) });

const text = (t) => ({ content: [{ type: "text", text: t }] });
const ask = (message, property) => inputRequired.elicit({ message,
  requestedSchema: { type: "object", properties: { [property]: { type: "string" } }, required: [property] } });
const answer = (ctx, key, property) => acceptedContent(ctx.mcpReq.inputResponses, key, z.object({ [property]: z.string() }));
const capabilities = (ctx) => ctx.mcpReq.envelope?.[CLIENT_CAPABILITIES_META_KEY] ?? {};
const samplingText = (ctx, key) => {
  const view = inputResponse(ctx.mcpReq.inputResponses, key);
  return view.kind === "sampling" ? view.result.content?.text : undefined;
};
const capitalQuestion = inputRequired.createMessage({ maxTokens: 100,
  messages: [{ role: "user", content: { type: "text", text: "What is the capital of France?" } }] });
// a tool that asks the client's model a question and answers with the reply after the prefix
const askTheModel = (prefix) => async (args, ctx) => {
  const reply = samplingText(ctx, "capital_question");
  return reply !== undefined ? text(prefix + reply) : inputRequired({ inputRequests: { capital_question: capitalQuestion } });
};
const pause = () => new Promise((resolve) => setTimeout(resolve, 50));

function tools(server, notify) {
  const tool = (name, inputSchema, handler) => server.registerTool(name, { description: `Conformance tool ${name}`, inputSchema }, handler);
  tool("test_simple_text", NO_ARGS, async () => text("This is a simple text response for testing."));
  tool("test_image_content", NO_ARGS, async () => ({ content: [{ type: "image", data: PNG, mimeType: "image/png" }] }));
  tool("test_audio_content", NO_ARGS, async () => ({ content: [{ type: "audio", data: WAV, mimeType: "audio/wav" }] }));
  tool("test_embedded_resource", NO_ARGS, async () => ({ content: [{ type: "resource", resource: {
    uri: "test://embedded-resource", mimeType: "text/plain", text: "This is an embedded resource content." } }] }));
  tool("test_multiple_content_types", NO_ARGS, async () => ({ content: [
    { type: "text", text: "Multiple content types test:" },
    { type: "image", data: PNG, mimeType: "image/png" },
    { type: "resource", resource: { uri: "test://mixed-content-resource", mimeType: "application/json",
      text: "{\"test\":\"data\",\"value\":123}" } }] }));
  tool("test_error_handling", NO_ARGS, async () => ({ isError: true,
    content: [{ type: "text", text: "This tool intentionally returns an error for testing" }] }));
  // the scenario asks for 0, 50 and 100 of 100, about 50 ms apart
  tool("test_tool_with_progress", NO_ARGS, async (args, ctx) => {
    const token = ctx.mcpReq._meta?.progressToken;
    for (const progress of [0, 50, 100]) {
      if (token !== undefined) {
        await ctx.mcpReq.notify({ method: "notifications/progress", params: { progressToken: token, progress, total: 100 } });
      }
      await pause();
    }
    return text("Progress tool finished");
  });
  // sends notifications/message only when the request's _meta names a log level (the SDK drops them otherwise)
  tool("test_logging_tool", NO_ARGS, async (args, ctx) => {
    await ctx.mcpReq.log("info", "Logging tool ran", "conformance");
    return text("Logging evaluated");
  });
  // needs sampling: a request whose client capabilities lack it gets -32021 from the SDK (it checks every input
  // request against them), a tool error result would not do
  tool("test_missing_capability", NO_ARGS, askTheModel("Success: "));
  // asks for its input in the result (input_required), never with a request of its own on the response stream
  tool("test_streaming_elicitation", NO_ARGS, async (args, ctx) => {
    const given = answer(ctx, "confirmation", "reply");
    return given ? text(`Streaming complete: ${given.reply}`) : inputRequired({ inputRequests: {
      confirmation: ask("Continue streaming?", "reply") } });
  });
  tool("test_trigger_tool_change", NO_ARGS, async () => {
    notify.toolsChanged();
    return text("tools changed");
  });
  tool("test_trigger_prompt_change", NO_ARGS, async () => {
    notify.promptsChanged();
    return text("prompts changed");
  });
  tool("test_input_required_result_elicitation", NO_ARGS, async (args, ctx) => {
    const given = answer(ctx, "user_name", "name");
    return given ? text(`Hello, ${given.name}!`) : inputRequired({ inputRequests: { user_name: ask("What is your name?", "name") } });
  });
  tool("test_input_required_result_sampling", NO_ARGS, askTheModel("The model said: "));
  tool("test_input_required_result_list_roots", NO_ARGS, async (args, ctx) => {
    const view = inputResponse(ctx.mcpReq.inputResponses, "client_roots");
    return view.kind === "roots" ? text(`Roots: ${view.roots.map((r) => r.uri).join(", ")}`)
      : inputRequired({ inputRequests: { client_roots: inputRequired.listRoots() } });
  });
  tool("test_input_required_result_request_state", NO_ARGS, async (args, ctx) => {
    const confirmed = acceptedContent(ctx.mcpReq.inputResponses, "confirm", z.object({ ok: z.boolean() }));
    if (confirmed && ctx.mcpReq.requestState()?.tool === "request_state") {
      return text(`state-ok: confirmed=${confirmed.ok}`);
    }
    return inputRequired({ requestState: await state.mint({ tool: "request_state" }), inputRequests: {
      confirm: inputRequired.elicit({ message: "Please confirm", requestedSchema: {
        type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"] } }) } });
  });
  tool("test_input_required_result_multiple_inputs", NO_ARGS, async (args, ctx) => {
    const name = answer(ctx, "user_name", "name");
    const reply = samplingText(ctx, "greeting");
    const roots = inputResponse(ctx.mcpReq.inputResponses, "client_roots");
    if (name && reply !== undefined && roots.kind === "roots" && ctx.mcpReq.requestState()?.tool === "multiple_inputs") {
      return text(`${name.name}, ${reply}, ${roots.roots.length} root(s)`);
    }
    return inputRequired({ requestState: await state.mint({ tool: "multiple_inputs" }), inputRequests: {
      user_name: ask("What is your name?", "name"),
      greeting: inputRequired.createMessage({ maxTokens: 50,
        messages: [{ role: "user", content: { type: "text", text: "Say hello" } }] }),
      client_roots: inputRequired.listRoots() } });
  });
  // round 1 asks step1, round 2 (state round 1 + name) asks step2, round 3 (state round 2 + colour) completes
  tool("test_input_required_result_multi_round", NO_ARGS, async (args, ctx) => {
    const previous = ctx.mcpReq.requestState();
    const color = answer(ctx, "step2", "color");
    if (previous?.round === 2 && color) {
      return text(`${previous.name} likes ${color.color}`);
    }
    const name = answer(ctx, "step1", "name");
    if (previous?.round === 1 && name) {
      return inputRequired({ requestState: await state.mint({ round: 2, name: name.name }),
        inputRequests: { step2: ask("Step 2: What is your favorite color?", "color") } });
    }
    return inputRequired({ requestState: await state.mint({ round: 1 }),
      inputRequests: { step1: ask("Step 1: What is your name?", "name") } });
  });
  tool("test_input_required_result_tampered_state", NO_ARGS, async (args, ctx) => {
    const given = answer(ctx, "confirm", "value");
    if (given && ctx.mcpReq.requestState()?.tool === "tampered_state") {
      return text(`state verified: ${given.value}`);
    }
    return inputRequired({ requestState: await state.mint({ tool: "tampered_state" }),
      inputRequests: { confirm: ask("Enter a value", "value") } });
  });
  // asks only for the kinds of input the request's client capabilities declare
  tool("test_input_required_result_capabilities", NO_ARGS, async (args, ctx) => {
    const answered = Object.keys(ctx.mcpReq.inputResponses ?? {});
    if (answered.length > 0) {
      return text(`capabilities-ok: received ${answered.join(",")}`);
    }
    const declared = capabilities(ctx);
    const inputRequests = {};
    if (declared.elicitation) {
      inputRequests.elicit_input = ask("Elicitation input", "value");
    }
    if (declared.sampling) {
      inputRequests.sample_input = capitalQuestion;
    }
    return Object.keys(inputRequests).length === 0 ? text("No supported capabilities declared")
      : inputRequired({ inputRequests });
  });
  tool("json_schema_2020_12_tool", fromJsonSchema({
    $schema: "https://json-schema.org/draft/2020-12/schema", type: "object",
    $defs: { address: { $anchor: "addressDef", type: "object",
      properties: { street: { type: "string" }, city: { type: "string" } } } },
    properties: { name: { type: "string" }, address: { $ref: "#/$defs/address" },
      contactMethod: { type: "string", enum: ["phone", "email"] }, phone: { type: "string" }, email: { type: "string" } },
    allOf: [{ anyOf: [{ required: ["phone"] }, { required: ["email"] }] }],
    if: { properties: { contactMethod: { const: "phone" } }, required: ["contactMethod"] },
    then: { required: ["phone"] }, else: { required: ["email"] },
    additionalProperties: false }), async (args) => text(`contact ${args.name ?? "unknown"}`));
  // its region argument is mirrored in the Mcp-Param-Region header, which the SDK checks against the body
  tool("test_custom_headers", fromJsonSchema({ type: "object",
    properties: { region: { type: "string", "x-mcp-header": "Region" }, query: { type: "string" } },
    required: ["region"] }), async (args) => text(`region ${args.region}`));
}

function resources(server) {
  server.registerResource("static-text", "test://static-text", { mimeType: "text/plain" }, async (uri) => ({
    contents: [{ uri: uri.href, mimeType: "text/plain", text: "This is the content of the static text resource." }] }));
  server.registerResource("static-binary", "test://static-binary", { mimeType: "image/png" }, async (uri) => ({
    contents: [{ uri: uri.href, mimeType: "image/png", blob: PNG }] }));
  server.registerResource("template", new ResourceTemplate("test://template/{id}/data", { list: undefined }),
    { mimeType: "application/json", description: "Data for an id" }, async (uri, { id }) => ({
      contents: [{ uri: uri.href, mimeType: "application/json",
        text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }) }] }));
}

function prompts(server) {
  const prompt = (name, argsSchema, messages) => server.registerPrompt(name,
    { description: `Conformance prompt ${name}`, ...(argsSchema && { argsSchema }) }, messages);
  const user = (content) => ({ role: "user", content });
  prompt("test_simple_prompt", undefined, () => ({ messages: [
    user({ type: "text", text: "This is a simple prompt for testing." })] }));
  prompt("test_prompt_with_arguments", z.object({
    arg1: completable(z.string().describe("First argument"), (value) => ["paris", "park", "party"].filter((v) => v.startsWith(value))),
    arg2: z.string().describe("Second argument") }),
  ({ arg1, arg2 }) => ({ messages: [user({ type: "text", text: `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'` })] }));
  prompt("test_prompt_with_embedded_resource", z.object({ resourceUri: z.string().describe("Resource to embed") }),
    ({ resourceUri }) => ({ messages: [
      user({ type: "resource", resource: { uri: resourceUri, mimeType: "text/plain", text: "Embedded resource content for testing." } }),
      user({ type: "text", text: "Please process the embedded resource above." })] }));
  prompt("test_prompt_with_image", undefined, () => ({ messages: [
    user({ type: "image", data: PNG, mimeType: "image/png" }),
    user({ type: "text", text: "Please analyze the image above." })] }));
  prompt("test_input_required_result_prompt", undefined, (ctx) => {
    const given = answer(ctx, "user_context", "context");
    return given ? { messages: [user({ type: "text", text: `Prompt with context: ${given.context}` })] }
      : inputRequired({ inputRequests: { user_context: ask("What context should the prompt use?", "context") } });
  });
}

const handler = createMcpHandler(() => {
  const server = new McpServer({ name: "conformance-2026-fixture", version: "1.0.0" }, {
    capabilities: { logging: {} },
    cacheHints: { "tools/list": { ttlMs: 60000, cacheScope: "public" }, "prompts/list": { ttlMs: 60000, cacheScope: "public" } },
    requestState: { verify: state.verify },
  });
  tools(server, handler.notify);
  resources(server);
  prompts(server);
  return server;
}, { legacy: "reject" });
const node = toNodeHandler(handler);
const localhostOnly = localhostHostValidation();
createServer((req, res) => {
  if (localhostOnly(req, res)) {
    void node(req, res);
  }
}).listen(Number(process.env.PORT), "127.0.0.1",
  () => console.log(`conformance 2026 fixture listening on port ${process.env.PORT}`));
