import { guardFetch } from 'tripswitch/fetch';

// A model's stream: headers within 10 s, the first token within 30 s, then no gap over 10 s.
const llm = guardFetch({ body: 'end', timeoutMs: 10_000, firstByteTimeoutMs: 30_000, bodyIdleMs: 10_000 });

export async function printCompletion(prompt: string): Promise<void> {
  const response = await llm('https://llm.example.com/v1/chat/completions', {
    method: 'POST',
    body: JSON.stringify({ stream: true, messages: [{ role: 'user', content: prompt }] }),
  });
  const decoder = new TextDecoder();
  for await (const chunk of response.body ?? []) process.stdout.write(decoder.decode(chunk, { stream: true }));
  // The stream ended: counted as a success. Cut midway, the loop throws and it counts as a failure.
}
