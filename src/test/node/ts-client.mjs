// Drives the gateway with the official MCP TypeScript SDK client, the way an agent would, and prints what it saw
// as one JSON object for the Java integration test to check.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  ResourceListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";

const url = new URL(process.argv[2]);
// declaring sampling makes server-everything offer its sampling tool; this client answers like a stub LLM; it
// declares elicitation too, and confirms whatever it is asked
const client = new Client({ name: "caravan-it", version: "1.0.0" },
  { capabilities: { sampling: {}, elicitation: {} } });
const elicitations = [];
client.setRequestHandler(ElicitRequestSchema, async (request) => {
  elicitations.push(request.params.message);
  return { action: "accept", content: { ok: true } };
});
const samplingRequests = [];
client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
  samplingRequests.push(request.params.messages[0].content.text);
  return { role: "assistant", content: { type: "text", text: "stub LLM says hi" }, model: "stub", stopReason: "endTurn" };
});
let listChanged;
const resourceListChanged = new Promise((resolve) => (listChanged = resolve));
client.setNotificationHandler(ResourceListChangedNotificationSchema, () => listChanged(true));
const transport = new StreamableHTTPClientTransport(url);
await client.connect(transport);

const text = (result) => result.content.filter((c) => c.type === "text").map((c) => c.text).join("\n");
const timedCall = async (name, args) => {
  const started = Date.now();
  const progress = [];
  const result = await client.callTool({ name, arguments: args }, undefined, {
    onprogress: (p) => progress.push({ at: Date.now() - started, progress: p.progress, total: p.total }),
  });
  return { text: text(result), progress, doneAt: Date.now() - started };
};

const out = {
  server: client.getServerVersion(),
  sessionId: transport.sessionId,
  tools: (await client.listTools()).tools.map((t) => t.name),
  prompts: (await client.listPrompts()).prompts.map((p) => p.name),
  kb: text(await client.callTool({ name: "knowledge-base_search_docs", arguments: { query: "kagent", product: "kagent" } })),
  echo: text(await client.callTool({ name: "everything_echo", arguments: { message: "through the gateway" } })),
  sdk2: text(await client.callTool({ name: "sdk2_echo", arguments: { text: "old client" } })),
  // a server that speaks only MCP 2026-07-28: the gateway speaks that generation to it for this session's client
  sdk26: text(await client.callTool({ name: "sdk26_echo", arguments: { text: "old client" } })),
  sdk26Count: await timedCall("sdk26_count", { steps: 2 }),
  sdk26Resource: (await client.readResource({ uri: "sdk26+config://settings" })).contents[0].text,
  sdk26Locate: text(await client.callTool({ name: "sdk26_locate", arguments: { region: "Zürich old", zone: 4 } })),
  sdk26Prompt: (await client.getPrompt({ name: "sdk26_greet", arguments: { who: "old client" } })).messages[0].content.text,
  // its multi round-trip request reaches this client as a request of the server's, whose answer goes back to it
  sdk26Confirm: await client.callTool({ name: "sdk26_confirm", arguments: { what: "deploy" } })
    .then((r) => text(r), (e) => `error ${e.code}: ${e.message}`),
  // the same with progress, so the server streams its question (an event stream the gateway goes on with)
  sdk26ConfirmStreamed: await timedCall("sdk26_confirm", { what: "ship" })
    .catch((e) => ({ text: `error ${e.code}: ${e.message}` })),
  summarize: await timedCall("slack-conversations_summarize_channel", { channel: "support", steps: 4, stepMillis: 300 }),
  longRunning: await timedCall("everything_trigger-long-running-operation", { duration: 2, steps: 4 }),
  // the server asks this client for an LLM sample in the middle of the call; the answer goes back through the gateway
  sampling: text(await client.callTool({ name: "everything_trigger-sampling-request", arguments: { prompt: "hello" } })),
};
out.samplingRequests = samplingRequests;
out.elicitations = elicitations;
// registering a resource makes server-everything announce resources/list_changed on its own stream (GET /mcp)
await client.callTool({ name: "everything_gzip-file-as-resource",
  arguments: { name: "note.txt.gz", data: "data:text/plain;base64,aGVsbG8gd29ybGQ=" } });
out.resourceListChanged = await Promise.race([resourceListChanged,
  new Promise((resolve) => setTimeout(() => resolve(false), 5000))]);
out.resources = (await client.listResources()).resources.map((r) => r.uri);
await transport.terminateSession();
await client.close();
console.log(JSON.stringify(out));
