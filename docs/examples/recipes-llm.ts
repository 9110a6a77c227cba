import { isCallTimeoutError, isCircuitOpenError } from 'tripswitch';
import { guardFetch } from 'tripswitch/fetch';

/**
 * A streaming client for an OpenAI-compatible chat API. With `body: 'end'` a completion counts
 * when its stream ends: a stream cut midway is a failure, one silent for `bodyIdleMs` a timeout,
 * and a 429's `Retry-After` keeps every call away from the provider for as long as it asks.
 */
export function chatClient(baseUrl: string, apiKey: string, { bodyIdleMs = 10_000, firstByteTimeoutMs = 30_000 } = {}) {
  const llm = guardFetch({
    body: 'end',
    timeoutMs: 10_000, // until the headers
    firstByteTimeoutMs, // until the first token
    bodyIdleMs, // between tokens; and a stream nobody reads is released after it
    failureThreshold: 3,
    resetTimeoutMs: 15_000,
    maxRetryAfterMs: 120_000,
  });

  /** The completion's text, token by token. */
  async function* stream(messages: { role: string; content: string }[], signal?: AbortSignal): AsyncGenerator<string> {
    const response = await llm(`${baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'any', messages, stream: true }),
      signal,
    });
    // A 429 or 5xx is counted already (and its Retry-After obeyed): read why, and say so.
    if (!response.ok || response.body === null) throw new Error(`chat answered ${response.status}: ${await response.text()}`);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        buffer += value;
        const events = buffer.split('\n\n');
        buffer = events.pop() ?? '';
        for (const event of events) {
          const data = event.replace(/^data: /, '');
          if (data === '[DONE]') continue; // read on to the end: a clean end is what counts as a success
          const token: unknown = JSON.parse(data).choices?.[0]?.delta?.content;
          if (typeof token === 'string') yield token;
        }
      }
    } finally {
      await reader.cancel().catch(() => {}); // a caller that stops early: ignored, not a failure
    }
  }

  /** The whole completion, or why there is none. */
  async function complete(prompt: string): Promise<string> {
    try {
      let text = '';
      for await (const token of stream([{ role: 'user', content: prompt }])) text += token;
      return text;
    } catch (error) {
      if (isCircuitOpenError(error)) throw new Error(`chat unavailable, retry in ${Math.ceil(error.retryAfterMs / 1000)} s`);
      if (isCallTimeoutError(error)) throw new Error(`chat stalled for ${error.timeoutMs} ms`);
      throw error;
    }
  }

  return { registry: llm.registry, stream, complete };
}
