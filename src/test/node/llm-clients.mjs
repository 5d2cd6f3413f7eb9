// The official LLM SDKs pointed at the gateway the way agents are (only the base URL changes, the key is the
// user's JWT), against the gateway's stub providers. Prints what each SDK saw as one JSON object for LlmClientsIT:
// the text, the usage the SDK reported, and when the stream's text parts arrived.
// usage: node llm-clients.mjs <gateway base URL> <token per client as name=jwt ...>
import Anthropic from "@anthropic-ai/sdk";
import { AnthropicVertex } from "@anthropic-ai/vertex-sdk";
import OpenAI from "openai";
import { GoogleGenAI } from "@google/genai";

const [gateway, ...pairs] = process.argv.slice(2);
const tokens = Object.fromEntries(pairs.map((p) => p.split("=")));
const out = {};
const timed = () => {
  const started = Date.now();
  const at = [];
  return { mark: () => at.push(Date.now() - started), at };
};
// a stand-in for google-auth-library's client: the "Google credential" an agent sends is its gateway JWT
const authClientFor = (token) => ({
  projectId: null,
  getRequestHeaders: async () => new Headers({ Authorization: `Bearer ${token}` }),
});

// Claude through Vertex AI, as Claude Code does it (@ in the model becomes %40 in the path), with an org header
{
  const vertex = new AnthropicVertex({ baseURL: `${gateway}/v1`, region: "us-east5", projectId: "agents-own-project",
    authClient: authClientFor(tokens.vertex), defaultHeaders: { "x-org": "engineering" } });
  const once = await vertex.messages.create({ model: "claude-sonnet-4-6@20260101", max_tokens: 256,
    messages: [{ role: "user", content: "What does the gateway count?" }] });
  const t = timed();
  const stream = vertex.messages.stream({ model: "claude-sonnet-4-6@20260101", max_tokens: 256,
    messages: [{ role: "user", content: "Stream the answer, please." }] });
  stream.on("text", () => t.mark());
  const final = await stream.finalMessage();
  out.vertex = { text: once.content[0].text, usage: [once.usage, final.usage], streamText: final.content[0].text,
    deltasAt: t.at, model: final.model };
}

// the Anthropic API; the SDK sends its key as x-api-key
{
  const anthropic = new Anthropic({ baseURL: gateway, apiKey: tokens.anthropic });
  const t = timed();
  const stream = anthropic.messages.stream({ model: "claude-opus", max_tokens: 256,
    messages: [{ role: "user", content: [{ type: "text", text: "Cached system prompt", cache_control: { type: "ephemeral" } }] }] });
  stream.on("text", () => t.mark());
  const final = await stream.finalMessage();
  out.anthropic = { text: final.content[0].text, usage: [final.usage], deltasAt: t.at, model: final.model };
}

// OpenAI Chat Completions (streamed, usage asked for and not) and Responses; the SDK sends Authorization: Bearer
{
  const openai = new OpenAI({ baseURL: `${gateway}/v1`, apiKey: tokens.openai });
  const t = timed();
  const asked = await openai.chat.completions.create({ model: "gpt-4o", stream: true,
    stream_options: { include_usage: true }, messages: [{ role: "user", content: "Count my tokens" }] });
  let text = "";
  const usage = [];
  for await (const chunk of asked) {
    if (chunk.choices[0]?.delta?.content) {
      text += chunk.choices[0].delta.content;
      t.mark();
    }
    if (chunk.usage) usage.push(chunk.usage);
  }
  let unaskedUsageChunks = 0;
  for await (const chunk of await openai.chat.completions.create({ model: "gpt-4o", stream: true,
    messages: [{ role: "user", content: "No usage for me" }] })) {
    if (chunk.usage) unaskedUsageChunks++;
  }
  const response = await openai.responses.create({ model: "gpt-4.1", input: "Hello from the Responses API" });
  const models = await openai.models.list();
  out.openai = { text, usage, deltasAt: t.at, unaskedUsageChunks, responsesText: response.output_text,
    responsesUsage: response.usage, models: models.data.map((m) => m.id) };
}

// Gemini on Vertex AI with the Google Gen AI SDK (v1beta1 paths, alt=sse streams)
{
  const genai = new GoogleGenAI({ vertexai: true, project: "agents-own-project", location: "us-east5",
    googleAuthOptions: { authClient: authClientFor(tokens.gemini) },
    httpOptions: { baseUrl: gateway, headers: { "x-org": "support" } } });
  const once = await genai.models.generateContent({ model: "gemini-2.5-flash", contents: "Hello Gemini" });
  const t = timed();
  let text = "";
  let usage;
  for await (const chunk of await genai.models.generateContentStream({ model: "gemini-2.5-pro",
    contents: "Stream, Gemini" })) {
    text += chunk.text ?? "";
    t.mark();
    usage = chunk.usageMetadata;
  }
  out.gemini = { text: once.text, usage: [once.usageMetadata, usage], streamText: text, deltasAt: t.at };
}

console.log(JSON.stringify(out));
