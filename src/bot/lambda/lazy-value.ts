/**
 * A value made on first use and kept for the life of the container (Lambda reuses a warm one for
 * later invocations). A failure is not kept: a throttled SSM read or a GitHub blip at a cold start
 * must not poison every invocation the container serves afterwards.
 */
export function lazyValue<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => {
    if (!value) {
      const made = make();
      value = made;
      made.catch(() => {
        if (value === made) value = undefined;
      });
    }
    return value;
  };
}
