// An agent with machine credentials, as the MCP TypeScript SDK does it: it connects without a token, learns from the
// gateway's 401 where the protected resource metadata is, finds the authorization server there, gets a token with
// the client_credentials grant and retries. Prints what happened as one JSON object for the Java test.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ClientCredentialsProvider } from "@modelcontextprotocol/sdk/client/auth-extensions.js";

const [url, issuer] = process.argv.slice(2);
const seen = [];
const recordingFetch = async (input, init) => {
  const response = await fetch(input, init);
  seen.push({
    url: String(input instanceof Request ? input.url : input),
    status: response.status,
    authenticate: response.headers.get("www-authenticate"),
    sentToken: new Headers(init?.headers).has("authorization"),
  });
  return response;
};
const provider = new ClientCredentialsProvider({ clientId: "ci-agent", clientSecret: "ci-secret", expectedIssuer: issuer });
const transport = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider, fetch: recordingFetch });
const client = new Client({ name: "caravan-auth-it", version: "1.0.0" });
await client.connect(transport);
const tools = (await client.listTools()).tools.map((t) => t.name);
const search = await client.callTool({ name: "knowledge-base_search_docs", arguments: { query: "kagent" } });
await transport.terminateSession();
await client.close();
console.log(JSON.stringify({ seen, tools, text: search.content[0].text, token: provider.tokens()?.access_token }));
