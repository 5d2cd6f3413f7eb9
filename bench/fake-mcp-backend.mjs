// Minimal stateless MCP servers for the fan-out benchmark: `count` servers on consecutive ports from `basePort`,
// each listing `tools` tools; the server at index `slowIndex` answers tools/list only after `slowMs` ms.
// usage: node fake-mcp-backend.mjs <basePort> <count> <slowIndex> <slowMs> [tools]
import http from "node:http";

const [basePort, count, slowIndex, slowMs, toolCount = "20"] = process.argv.slice(2).map(Number);

function serve(index) {
  const tools = Array.from({ length: toolCount }, (_, i) => ({
    name: `tool_${i}`,
    description: `Benchmark tool ${i} of server ${index}`,
    inputSchema: { type: "object", properties: { q: { type: "string" } } },
  }));
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      const msg = JSON.parse(body || "{}");
      if (msg.id === undefined) {
        res.writeHead(202).end();
        return;
      }
      const answer = (result) => {
        res.writeHead(200, { "Content-Type": "application/json" });
        res.end(JSON.stringify({ jsonrpc: "2.0", id: msg.id, result }));
      };
      if (msg.method === "initialize") {
        answer({ protocolVersion: msg.params.protocolVersion, capabilities: { tools: {} },
                 serverInfo: { name: `bench-${index}`, version: "1" } });
      } else if (msg.method === "tools/list") {
        setTimeout(() => answer({ tools }), index === slowIndex ? slowMs : 0);
      } else {
        answer({ content: [{ type: "text", text: "ok" }] });
      }
    });
  });
  server.keepAliveTimeout = 60000;
  server.listen(basePort + index, "127.0.0.1");
}

for (let i = 0; i < count; i++) serve(i);
console.log(`fake MCP backends listening on ${basePort}..${basePort + count - 1}`);
