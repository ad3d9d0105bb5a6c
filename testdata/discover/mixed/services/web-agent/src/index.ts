import { openai } from "@ai-sdk/openai";
import { generateText, tool } from "ai";
import { z } from "zod";

export async function answer(question: string) {
  const { text } = await generateText({
    model: openai("gpt-4o"),
    tools: {
      weather: tool({
        description: "Get the weather in a city",
        parameters: z.object({ city: z.string() }),
        execute: async ({ city }) => ({ city, temperature: 21 }),
      }),
    },
    prompt: question,
  });
  return text;
}
