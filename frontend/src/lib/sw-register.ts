/** Registers the service worker and reports a waiting new version instead of reloading. */

type Listener = (ready: boolean) => void;
let waiting: ServiceWorker | null = null;
const listeners = new Set<Listener>();

function announce(worker: ServiceWorker | null): void {
  waiting = worker;
  listeners.forEach((fn) => fn(Boolean(worker)));
}

export function onUpdateAvailable(fn: Listener): () => void {
  listeners.add(fn);
  fn(Boolean(waiting));
  return () => listeners.delete(fn);
}

/** The user tapped "Update": activate the new worker, then reload once it controls the page. */
export function applyUpdate(): void {
  if (!waiting) return;
  navigator.serviceWorker.addEventListener("controllerchange", () => location.reload(), {
    once: true,
  });
  waiting.postMessage({ type: "SKIP_WAITING" });
}

export async function registerServiceWorker(): Promise<ServiceWorkerRegistration | null> {
  if (!("serviceWorker" in navigator)) return null;
  const registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  // A new version already installed and waiting (e.g. another tab kept the old one alive).
  if (registration.waiting && navigator.serviceWorker.controller) announce(registration.waiting);
  registration.addEventListener("updatefound", () => {
    const installing = registration.installing;
    installing?.addEventListener("statechange", () => {
      // With no controller this is the first install: nothing to update from.
      if (installing.state === "installed" && navigator.serviceWorker.controller) {
        announce(installing);
      }
    });
  });
  // Check for a new version when the app comes back to the foreground.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") registration.update().catch(() => undefined);
  });
  return registration;
}
