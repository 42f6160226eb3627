// The Vercel AI SDK (`ai` with `@ai-sdk/anthropic`) against the proxy, pointed at it only
// through the provider's baseURL and key (from the environment). Prints one JSON line.
import { createAnthropic } from "@ai-sdk/anthropic";
import { generateText, jsonSchema, stepCountIs, streamText, tool } from "ai";

const anthropic = createAnthropic({
  baseURL: `${process.env.ANTHROPIC_BASE_URL}/v1`,
  apiKey: process.env.ANTHROPIC_API_KEY,
});
const model = anthropic("sim-1");

async function plain() {
  const result = await generateText({ model, prompt: "Say hello from the AI SDK" });
  return { text: result.text, finishReason: result.finishReason };
}

async function stream() {
  const result = streamText({ model, prompt: "Stream hello from the AI SDK" });
  let text = "";
  for await (const part of result.textStream) text += part;
  return { text, finishReason: await result.finishReason };
}

async function toolLoop() {
  const calls = [];
  const result = await generateText({
    model,
    prompt: "Use get_weather for Paris",
    stopWhen: stepCountIs(4),
    tools: {
      get_weather: tool({
        description: "Current weather for a city",
        inputSchema: jsonSchema({
          type: "object",
          properties: { city: { type: "string" } },
          required: ["city"],
        }),
        execute: async ({ city }) => {
          calls.push(city);
          return `sunny in ${city}`;
        },
      }),
    },
  });
  return { text: result.text, steps: result.steps.length, calls };
}

const scenarios = { plain, stream, tool_loop: toolLoop };
try {
  const out = await scenarios[process.argv[2]]();
  console.log(JSON.stringify({ ok: true, ...out }));
} catch (error) {
  console.log(JSON.stringify({ ok: false, error: String(error?.message ?? error) }));
}
