// Drives the gateway with the official MCP TypeScript SDK v2 client in its sessionless mode (MCP 2026-07-28): it
// probes with server/discover and, answered, never initializes. Prints what it saw as one JSON object.
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";

const url = new URL(process.argv[2]);
const sessionIds = new Set();
// records the session ids the gateway hands out: a client of this generation must get none
const recordingFetch = async (input, init) => {
  const response = await fetch(input, init);
  const id = response.headers.get("mcp-session-id");
  if (id) sessionIds.add(id);
  return response;
};
// it declares sampling and elicitation, and answers what it is asked: in a multi round-trip request of a server of
// this generation, and as the gateway turns an older server's request in the middle of a call into one
const client = new Client({ name: "caravan-it-v2", version: "1.0.0" },
  { capabilities: { sampling: {}, elicitation: { form: {} } }, versionNegotiation: { mode: "auto" } });
const samplings = [];
client.setRequestHandler("sampling/createMessage", async (request) => {
  samplings.push(request.params.messages[0].content.text);
  return { role: "assistant", content: { type: "text", text: "stub LLM says hi" }, model: "stub", stopReason: "endTurn" };
});
const elicitations = [];
client.setRequestHandler("elicitation/create", async (request) => {
  elicitations.push(request.params.message);
  return { action: "accept", content: { ok: true } };
});
await client.connect(new StreamableHTTPClientTransport(url, { fetch: recordingFetch }));

const text = (result) => result.content.filter((c) => c.type === "text").map((c) => c.text).join("\n");
const progress = [];
const sdk2Progress = [];
const sdk26Progress = [];
const out = {
  era: client.getProtocolEra(),
  version: client.getNegotiatedProtocolVersion(),
  server: client.getDiscoverResult()?._meta?.["io.modelcontextprotocol/serverInfo"]?.name,
  tools: (await client.listTools()).tools.map((t) => t.name),
  prompts: (await client.listPrompts()).prompts.map((p) => p.name),
  kb: text(await client.callTool({ name: "knowledge-base_search_docs", arguments: { query: "kagent", product: "kagent" } })),
  echo: text(await client.callTool({ name: "everything_echo", arguments: { message: "sessionless" } })),
  slow: text(await client.callTool({ name: "slack-conversations_summarize_channel",
    arguments: { channel: "support", steps: 3, stepMillis: 50 } },
    { onprogress: (p) => progress.push(p.progress) })),
  sdk2: text(await client.callTool({ name: "sdk2_echo", arguments: { text: "new client" } })),
  sdk2Count: text(await client.callTool({ name: "sdk2_count", arguments: { steps: 2 } },
    { onprogress: (p) => sdk2Progress.push(p.progress) })),
  sdk2Resource: (await client.readResource({ uri: "sdk2+config://settings" })).contents[0].text,
  // a server that speaks only this generation, spoken to in it by the gateway
  sdk26: text(await client.callTool({ name: "sdk26_echo", arguments: { text: "new client" } })),
  sdk26Count: text(await client.callTool({ name: "sdk26_count", arguments: { steps: 3 } },
    { onprogress: (p) => sdk26Progress.push(p.progress) })),
  sdk26Resource: (await client.readResource({ uri: "sdk26+config://settings" })).contents[0].text,
  sdk26Locate: text(await client.callTool({ name: "sdk26_locate", arguments: { region: "Zürich new", zone: 4 } })),
  sdk26Prompt: (await client.getPrompt({ name: "sdk26_greet", arguments: { who: "new client" } })).messages[0].content.text,
  // server-everything (2025-11-25) asks for an LLM sample in the middle of the call
  sampling: text(await client.callTool({ name: "everything_trigger-sampling-request", arguments: { prompt: "hello" } })),
  sdk26Confirm: text(await client.callTool({ name: "sdk26_confirm", arguments: { what: "deploy" } })),
  resource: (await client.readResource({ uri: "knowledge-base+docs://gloo-gateway/timeouts" })).contents[0].text
    .split("\n")[0],
  prompt: (await client.getPrompt({ name: "knowledge-base_answer_question", arguments: { question: "what is kagent?" } }))
    .messages[0].content.text,
};
out.progress = progress;
out.sdk2Progress = sdk2Progress;
out.sdk26Progress = sdk26Progress;
out.elicitations = elicitations;
out.samplings = samplings;
out.sessionIds = [...sessionIds];
await client.close();
console.log(JSON.stringify(out));
