// The official LLM SDKs streaming through the gateway from providers that break off in the middle of an event
// (FlakyProvider in LlmClientsIT). Prints one JSON object: per SDK, the text that arrived before the break and the
// error the SDK raised (its class and message) — an API error, not a JSON parse error.
// usage: node llm-cut-streams.mjs <gateway base URL> <jwt>
import Anthropic from "@anthropic-ai/sdk";
import { AnthropicVertex } from "@anthropic-ai/vertex-sdk";
import OpenAI from "openai";
import { GoogleGenAI } from "@google/genai";

const [gateway, token] = process.argv.slice(2);
const authClient = { projectId: null, getRequestHeaders: async () => new Headers({ Authorization: `Bearer ${token}` }) };
const messages = [{ role: "user", content: "Break off, please" }];
const out = {};

const outcome = async (name, stream) => {
  let text = "";
  try {
    await stream((part) => { text += part ?? ""; });
    out[name] = { text, error: null };
  } catch (e) {
    out[name] = { text, error: e?.constructor?.name ?? typeof e, message: String(e?.message ?? e) };
  }
};

await outcome("anthropic", async (add) => {
  const client = new Anthropic({ baseURL: gateway, apiKey: token, maxRetries: 0 });
  for await (const e of await client.messages.create({ model: "claude-sonnet-4-6", max_tokens: 64, stream: true,
    messages })) {
    if (e.type === "content_block_delta") add(e.delta.text);
  }
});

await outcome("vertex", async (add) => {
  const client = new AnthropicVertex({ baseURL: `${gateway}/v1`, region: "us-east5", projectId: "agents-own-project",
    authClient, defaultHeaders: { "x-org": "engineering" }, maxRetries: 0 });
  for await (const e of await client.messages.create({ model: "claude-sonnet-4-6@20260101", max_tokens: 64,
    stream: true, messages })) {
    if (e.type === "content_block_delta") add(e.delta.text);
  }
});

await outcome("chat", async (add) => {
  const client = new OpenAI({ baseURL: `${gateway}/v1`, apiKey: token, maxRetries: 0 });
  for await (const chunk of await client.chat.completions.create({ model: "gpt-4o", stream: true, messages })) {
    add(chunk.choices[0]?.delta?.content);
  }
});

await outcome("responses", async (add) => {
  const client = new OpenAI({ baseURL: `${gateway}/v1`, apiKey: token, maxRetries: 0 });
  for await (const e of await client.responses.create({ model: "gpt-4.1", stream: true, input: "Break off" })) {
    if (e.type === "response.output_text.delta") add(e.delta);
  }
});

await outcome("gemini", async (add) => {
  const client = new GoogleGenAI({ vertexai: true, project: "agents-own-project", location: "us-east5",
    googleAuthOptions: { authClient }, httpOptions: { baseUrl: gateway, headers: { "x-org": "support" } } });
  for await (const chunk of await client.models.generateContentStream({ model: "gemini-2.5-pro",
    contents: "Break off" })) {
    add(chunk.text);
  }
});

console.log(JSON.stringify(out));
