/** Loads a screen's code on first use, so the first load stays small. */
import type { ComponentType } from "preact";
import { useEffect, useState } from "preact/hooks";

type Loader<P> = () => Promise<{ default: ComponentType<P> }>;

/** `quiet`: nothing on screen while loading or if it fails (for a banner, not a screen). */
export function lazy<P extends object>(load: Loader<P>, quiet = false): ComponentType<P> {
  let cached: ComponentType<P> | null = null;
  return function LazyScreen(props: P) {
    const [Component, setComponent] = useState<ComponentType<P> | null>(() => cached);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (Component) return;
      load()
        .then((m) => {
          cached = m.default;
          setComponent(() => m.default);
        })
        .catch(() => setFailed(true));
    }, []);
    if (quiet && !Component) return null;
    if (failed) {
      return (
        <p class="notice" role="alert">
          This screen could not load. Check your connection and try again.
        </p>
      );
    }
    if (!Component) return <p class="muted" aria-busy="true">Loading…</p>;
    return <Component {...props} />;
  };
}
