// Drives the gateway with the official MCP TypeScript SDK client, the way an agent would, and prints what it saw
// as one JSON object for the Java integration test to check.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const url = new URL(process.argv[2]);
const client = new Client({ name: "caravan-it", version: "1.0.0" });
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
  summarize: await timedCall("slack-conversations_summarize_channel", { channel: "support", steps: 4, stepMillis: 300 }),
  longRunning: await timedCall("everything_trigger-long-running-operation", { duration: 2, steps: 4 }),
};
await transport.terminateSession();
await client.close();
console.log(JSON.stringify(out));
