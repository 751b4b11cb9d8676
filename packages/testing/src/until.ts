/**
 * Resolves once `condition` holds, checking it every `everyMs`. For states a server reaches on its
 * own (a stream's handler finishing after its client has gone); the test's timeout bounds the wait.
 */
export async function until(condition: () => boolean | Promise<boolean>, everyMs = 10): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, everyMs));
}
