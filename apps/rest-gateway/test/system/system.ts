/** Where the running gateway is: `pnpm start`'s default, or SWITCHBOARD_REST_URL. */
export const gatewayUrl = process.env.SWITCHBOARD_REST_URL ?? "http://127.0.0.1:8080";

// biome-ignore lint/suspicious/noExplicitAny: JSON answers, checked field by field
export const body = async (response: Response): Promise<any> => response.json();

export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
