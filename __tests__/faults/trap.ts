import { runInThisContext } from 'node:vm';

/**
 * Fails every test of the file after which an error escaped as an unhandled rejection or an
 * uncaught exception. The trap sits on the host process: Jest gives each test file a copy of
 * `process` of its own, which never sees them.
 */
export function trapEscapes(): void {
  const host = runInThisContext('process') as NodeJS.Process;
  const escaped: unknown[] = [];
  const trap = (error: unknown) => escaped.push(error);
  beforeAll(() => host.on('unhandledRejection', trap).on('uncaughtException', trap));
  afterEach(async () => {
    await new Promise((resolve) => setImmediate(resolve));
    expect(escaped).toEqual([]);
  });
  afterAll(() => host.off('unhandledRejection', trap).off('uncaughtException', trap));
}
