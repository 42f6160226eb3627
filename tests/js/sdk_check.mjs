// Runs one scenario of the official TypeScript SDK against ANTHROPIC_BASE_URL and prints
// a JSON summary on the last line of stdout. The client is built exactly as an app would:
// only the base URL and the key (both from the environment) differ from the real API.
import Anthropic from "@anthropic-ai/sdk";

const model = process.env.PROXY_CHECK_MODEL || "sim-1";
const client = new Anthropic({ maxRetries: 0 });

const tools = ["get_weather", "get_time", "get_forecast"].map((name) => ({
  name,
  description: `The ${name.slice(4)} for a city`,
  input_schema: {
    type: "object",
    properties: { city: { type: "string" } },
    required: ["city"],
  },
}));

async function create() {
  const message = await client.messages.create({
    model,
    max_tokens: 64,
    messages: [{ role: "user", content: "Say hello from node" }],
  });
  return { id: message.id, stop_reason: message.stop_reason, type: message.type,
           text: message.content.filter((b) => b.type === "text").map((b) => b.text).join("") };
}

async function stream() {
  const s = client.messages.stream({
    model,
    max_tokens: 64,
    messages: [{ role: "user", content: "Stream a short greeting" }],
  });
  let text = "";
  let events = 0;
  s.on("text", (delta) => { text += delta; });
  s.on("streamEvent", () => { events += 1; });
  const final = await s.finalMessage();
  return { id: final.id, stop_reason: final.stop_reason, text, events,
           final_text: final.content.filter((b) => b.type === "text").map((b) => b.text).join("") };
}

async function toolLoop() {
  const messages = [{ role: "user", content: "For Paris, call get_weather, then get_time, then get_forecast." }];
  const steps = [];
  for (let i = 0; i < 6; i++) {
    const message = await client.messages.create({ model, max_tokens: 256, tools, messages });
    steps.push(message.stop_reason);
    if (message.stop_reason !== "tool_use") break;
    messages.push({ role: "assistant", content: message.content });
    messages.push({
      role: "user",
      content: message.content
        .filter((b) => b.type === "tool_use")
        .map((b) => ({ type: "tool_result", tool_use_id: b.id, content: `sunny in ${JSON.stringify(b.input)}` })),
    });
  }
  return { steps, requests: steps.length };
}

async function countTokens() {
  const counted = await client.messages.countTokens({
    model,
    messages: [{ role: "user", content: "Count these tokens please" }],
  });
  return { input_tokens: counted.input_tokens };
}

async function badKey() {
  const other = new Anthropic({ apiKey: "pgk-" + "A".repeat(43), maxRetries: 0 });
  try {
    await other.messages.create({ model, max_tokens: 8, messages: [{ role: "user", content: "hi" }] });
    return { error: null };
  } catch (err) {
    return { error: err.constructor.name, status: err.status };
  }
}

const scenarios = { create, stream, tool_loop: toolLoop, count_tokens: countTokens, bad_key: badKey };
const name = process.argv[2];
if (!scenarios[name]) {
  console.error(`unknown scenario ${name}; one of ${Object.keys(scenarios).join(", ")}`);
  process.exit(2);
}
try {
  const result = await scenarios[name]();
  console.log(JSON.stringify({ ok: true, ...result }));
} catch (err) {
  console.log(JSON.stringify({ ok: false, error: String(err), status: err.status ?? null }));
  process.exit(1);
}
