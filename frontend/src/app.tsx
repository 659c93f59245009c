/** The app shell: who is signed in, which screen to show, banners and the tab bar. */
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { api, ApiError, rememberCsrf } from "./api/client";
import type { User } from "./api/models";
import { ConnectionBanner, InsecureOriginBanner, UpdatePrompt } from "./components/Banners";
import { lazy } from "./components/Lazy";
import { Nav } from "./components/Nav";
import { AppContext } from "./lib/context";
import type { ReplayResult } from "./api/queue";
import { finishPendingLogout, forgetLocalData, mayBeSignedIn } from "./lib/forget";
import { flushQueue, QUEUE_EVENT } from "./lib/online";
import { matchRoute, navigate, onLinkClick, usePath } from "./lib/router";
import { Today } from "./pages/Today";

const Onboarding = lazy(() => import("./pages/Onboarding"));
const BreakScreen = lazy<{ id: string }>(() => import("./pages/Break"));
const CarePlanScreen = lazy(() => import("./pages/CarePlan"));
const SettingsScreen = lazy(() => import("./pages/Settings"));
const AutoReply = lazy(() => import("./pages/AutoReply"));
const Wellbeing = lazy(() => import("./pages/Wellbeing"));
const PasswordReset = lazy<{ step: "request" | "choose" }>(() => import("./pages/PasswordReset"));
const WeekAhead = lazy(() => import("./pages/WeekAhead"));

const PUBLIC = ["/welcome", "/forgot-password", "/reset-password"];

function Screen({ path }: { path: string }) {
  const breakParams = matchRoute("/break/:id", path);
  if (breakParams) return <BreakScreen id={breakParams.id} />;
  switch (path) {
    case "/":
      return <Today />;
    case "/welcome":
      return <Onboarding />;
    case "/forgot-password":
      return <PasswordReset step="request" />;
    case "/reset-password":
      return <PasswordReset step="choose" />;
    case "/care-plan":
      return <CarePlanScreen />;
    case "/settings":
    case "/settings/devices":
      return <SettingsScreen />;
    case "/auto-reply":
      return <AutoReply />;
    case "/wellbeing":
      return <Wellbeing />;
    case "/week":
      return <WeekAhead />;
    default:
      return (
        <section>
          <h1>Not found</h1>
          <p>
            There is no screen here. <a href="/">Go to Today</a>.
          </p>
        </section>
      );
  }
}

export function App() {
  const path = usePath();
  const [user, setUser] = useState<User | null>(null);
  const [checked, setChecked] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const timer = useRef<number>();

  const toast = useCallback((text: string) => {
    setMessage(text);
    window.clearTimeout(timer.current);
    timer.current = window.setTimeout(() => setMessage(null), 4000);
  }, []);

  useEffect(() => {
    void finishPendingLogout();
    // No CSRF cookie means no session: a signed-out visitor never asks /me (no 401 logged),
    // and whatever a previous user left on this phone is removed.
    const signedIn = mayBeSignedIn()
      ? api.me().then((me) => {
          if (!me.stale) rememberCsrf();
          return me.data;
        })
      : Promise.reject(new ApiError("Signed out", 401, "unauthorized"));
    signedIn
      .then(setUser)
      .catch((error) => {
        if (error instanceof ApiError && error.status === 401) void forgetLocalData();
        else toast((error as Error).message);
        setUser(null);
      })
      .finally(() => setChecked(true));
    // Offline edits go out as soon as we can tell the connection is back: the online event
    // (not every browser fires it reliably), returning to the app, a refresh, or every 20 s.
    const replay = () => {
      if (navigator.onLine) flushQueue().catch(() => undefined);
    };
    const onVisible = () => document.visibilityState === "visible" && replay();
    const onReplayed = (event: Event) => {
      const { sent, dropped } = (event as CustomEvent<ReplayResult>).detail;
      const parts = [];
      if (sent) parts.push(`${sent} change${sent > 1 ? "s" : ""} sent.`);
      if (dropped) parts.push(`${dropped} change${dropped > 1 ? "s" : ""} could not be saved; please redo.`);
      if (parts.length) toast(parts.join(" "));
    };
    replay();
    const timer = window.setInterval(replay, 20000);
    window.addEventListener("online", replay);
    document.addEventListener("visibilitychange", onVisible);
    window.addEventListener(QUEUE_EVENT, onReplayed);
    return () => {
      window.clearInterval(timer);
      window.removeEventListener("online", replay);
      document.removeEventListener("visibilitychange", onVisible);
      window.removeEventListener(QUEUE_EVENT, onReplayed);
    };
  }, []);

  // Signed-out visitors see onboarding; a signed-in user landing on it goes to Today.
  useEffect(() => {
    if (!checked) return;
    if (!user && !PUBLIC.includes(path)) {
      navigate(`/welcome${path !== "/" ? `?next=${encodeURIComponent(path)}` : ""}`, true);
    }
  }, [checked, user, path]);

  const showNav = Boolean(user) && !PUBLIC.includes(path);
  return (
    <AppContext.Provider value={{ user, setUser, toast }}>
      <div class="app" onClick={onLinkClick}>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <InsecureOriginBanner />
        <UpdatePrompt />
        <ConnectionBanner />
        <main id="main" tabIndex={-1}>
          {checked ? (
            user || PUBLIC.includes(path) ? (
              <Screen path={path} />
            ) : null
          ) : (
            <p class="muted" aria-busy="true">
              Loading…
            </p>
          )}
        </main>
        {message && (
          <div class="toast" role="status" aria-live="polite">
            <span>{message}</span>
            <button type="button" class="toast-close" aria-label="Dismiss" onClick={() => setMessage(null)}>
              ×
            </button>
          </div>
        )}
        {showNav && <Nav path={path} />}
      </div>
    </AppContext.Provider>
  );
}
