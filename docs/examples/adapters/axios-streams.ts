import type { Readable } from 'node:stream';
import axios from 'axios';
import { guardAxios } from 'tripswitch/axios';

const api = axios.create({ baseURL: 'https://llm.example.com', responseType: 'stream' });
guardAxios(api, { body: 'end', firstByteTimeoutMs: 30_000, bodyIdleMs: 10_000 });

export async function printCompletion(prompt: string): Promise<void> {
  const { data } = await api.post<Readable>('/v1/chat/completions', {
    stream: true,
    messages: [{ role: 'user', content: prompt }],
  });
  for await (const chunk of data) process.stdout.write(chunk);
  // Counted when the stream ends: a cut midway is a failure, a stall over 10 s a timeout.
}
