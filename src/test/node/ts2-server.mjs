// An MCP server on the official TypeScript SDK v2 (2.4.0): it speaks 2026-07-28 and, for clients of the older
// generation, serves them statelessly (the SDK's default), or refuses them with LEGACY=reject (a server of the new
// generation only). A backend for the integration tests: a tool, one with progress, one that asks its client for
// input (a multi round-trip request), one whose arguments travel in headers too, a resource and a prompt. PORT sets the
// port.
import { createServer } from "node:http";
import { createMcpHandler, McpServer, inputRequired, acceptedContent } from "@modelcontextprotocol/server";
import { toNodeHandler } from "@modelcontextprotocol/node";
import * as z from "zod/v4";

const handler = createMcpHandler(() => {
  const server = new McpServer({ name: "sdk2-fixture", version: "1.0.0" });
  server.registerTool("echo", { description: "Echoes its text", inputSchema: z.object({ text: z.string() }) },
    async ({ text }) => ({ content: [{ type: "text", text: `sdk2 echo: ${text}` }] }));
  server.registerTool("count", { description: "Counts to steps, reporting progress",
    inputSchema: z.object({ steps: z.number().int() }) }, async ({ steps }, ctx) => {
    const token = ctx.mcpReq._meta?.progressToken;
    for (let i = 1; i <= steps; i++) {
      if (token !== undefined) {
        await ctx.mcpReq.notify({ method: "notifications/progress", params: { progressToken: token, progress: i, total: steps } });
      }
    }
    return { content: [{ type: "text", text: `counted to ${steps}` }] };
  });
  server.registerTool("confirm", { description: "Asks its client to confirm", inputSchema: z.object({ what: z.string() }) },
    async ({ what }, ctx) => {
      const answer = acceptedContent(ctx.mcpReq.inputResponses, "ok", z.object({ ok: z.boolean() }));
      const token = ctx.mcpReq._meta?.progressToken;
      if (answer === undefined && token !== undefined) {
        // progress first: the question then comes in an event stream
        await ctx.mcpReq.notify({ method: "notifications/progress", params: { progressToken: token, progress: 0 } });
      }
      if (answer === undefined) {
        return inputRequired({ inputRequests: { ok: inputRequired.elicit({ message: `Really ${what}?`,
          requestedSchema: { type: "object", properties: { ok: { type: "boolean" } }, required: ["ok"] } }) } });
      }
      return { content: [{ type: "text", text: `${what}: ${answer.ok ? "confirmed" : "declined"}` }] };
    });
  // its arguments are repeated in Mcp-Param-Region and Mcp-Param-Zone headers, which the SDK checks against the body
  server.registerTool("locate", { description: "Says where", inputSchema: z.object({
    region: z.string().meta({ "x-mcp-header": "Region" }), zone: z.number().int().meta({ "x-mcp-header": "Zone" }) }) },
    async ({ region, zone }) => ({ content: [{ type: "text", text: `located in ${region}, zone ${zone}` }] }));
  server.registerResource("settings", "config://settings", { mimeType: "text/plain" },
    async (uri) => ({ contents: [{ uri: uri.href, text: "sdk2 settings" }] }));
  server.registerPrompt("greet", { description: "Greets", argsSchema: z.object({ who: z.string() }) },
    ({ who }) => ({ messages: [{ role: "user", content: { type: "text", text: `Hello ${who}` } }] }));
  return server;
}, process.env.LEGACY === "reject" ? { legacy: "reject" } : {});
const node = toNodeHandler(handler);
createServer((req, res) => void node(req, res)).listen(Number(process.env.PORT), "127.0.0.1",
  () => console.log(`sdk2 fixture listening on port ${process.env.PORT}`));
