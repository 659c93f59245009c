import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { User } from "../api/models";

export interface AppState {
  user: User | null;
  setUser: (user: User | null) => void;
  toast: (message: string) => void;
}

export const AppContext = createContext<AppState>({
  user: null,
  setUser: () => undefined,
  toast: () => undefined,
});

export const useApp = (): AppState => useContext(AppContext);
