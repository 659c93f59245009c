import { render } from "preact";
import { App } from "./app";
import { navigate } from "./lib/router";
import { registerServiceWorker } from "./lib/sw-register";
import "./styles.css";

render(<App />, document.getElementById("app") as HTMLElement);

if (import.meta.env.PROD) {
  registerServiceWorker().catch(() => undefined);
  // Messages from the service worker: a notification tap asks an open window to navigate.
  navigator.serviceWorker?.addEventListener("message", (event) => {
    const data = event.data as { type?: string; url?: string } | null;
    if (data?.type === "NAVIGATE" && data.url) {
      navigate(data.url);
    }
  });
}
