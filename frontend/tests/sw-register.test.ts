import { describe, expect, it, vi } from "vitest";

class FakeWorker extends EventTarget {
  state = "installing";
  postMessage = vi.fn();
}

class FakeRegistration extends EventTarget {
  installing: FakeWorker | null = null;
  waiting: FakeWorker | null = null;
  update = vi.fn(async () => undefined);
}

describe("update prompt", () => {
  it("announces a new version once installed, and activates it only when asked", async () => {
    vi.resetModules();
    const registration = new FakeRegistration();
    const container = Object.assign(new EventTarget(), {
      controller: {}, // an old version controls the page
      register: vi.fn(async () => registration),
    });
    vi.stubGlobal("navigator", { ...navigator, serviceWorker: container });
    const { applyUpdate, onUpdateAvailable, registerServiceWorker } = await import("../src/lib/sw-register");
    const seen: boolean[] = [];
    onUpdateAvailable((ready) => seen.push(ready));
    await registerServiceWorker();
    expect(container.register).toHaveBeenCalledWith("/sw.js", { scope: "/" });

    const fresh = new FakeWorker();
    registration.installing = fresh;
    registration.dispatchEvent(new Event("updatefound"));
    fresh.state = "installed";
    fresh.dispatchEvent(new Event("statechange"));
    expect(seen).toEqual([false, true]);
    expect(fresh.postMessage).not.toHaveBeenCalled(); // nothing reloads under the user

    applyUpdate();
    expect(fresh.postMessage).toHaveBeenCalledWith({ type: "SKIP_WAITING" });
  });

  it("does not prompt on the very first install", async () => {
    vi.resetModules();
    const registration = new FakeRegistration();
    const container = Object.assign(new EventTarget(), {
      controller: null,
      register: vi.fn(async () => registration),
    });
    vi.stubGlobal("navigator", { ...navigator, serviceWorker: container });
    const { onUpdateAvailable, registerServiceWorker } = await import("../src/lib/sw-register");
    const seen: boolean[] = [];
    onUpdateAvailable((ready) => seen.push(ready));
    await registerServiceWorker();
    const first = new FakeWorker();
    registration.installing = first;
    registration.dispatchEvent(new Event("updatefound"));
    first.state = "installed";
    first.dispatchEvent(new Event("statechange"));
    expect(seen).toEqual([false]);
  });
});
