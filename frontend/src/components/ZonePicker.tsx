/** A time-zone picker people can use: friendly names ("New York — Eastern Time") and a search. */
import { useMemo, useState } from "preact/hooks";
import { allZones, friendlyZone, searchZones } from "../lib/zones";

export function ZonePicker({ value, onChange, id = "tz" }: { value: string; onChange: (zone: string) => void; id?: string }) {
  const [query, setQuery] = useState("");
  const zones = useMemo(() => allZones(), []);
  const shown = useMemo(() => {
    const found = searchZones(query, zones);
    return found.includes(value) ? found : [value, ...found]; // the current choice stays visible
  }, [query, zones, value]);
  return (
    <div class="stack">
      <div class="field">
        <label for={`${id}-search`}>Find a time zone</label>
        <input
          id={`${id}-search`}
          type="search"
          value={query}
          autoComplete="off"
          aria-describedby={`${id}-count`}
          placeholder="A city or a zone name, e.g. Chicago or Central"
          onInput={(e) => {
            const q = (e.target as HTMLInputElement).value;
            setQuery(q);
            const first = searchZones(q, zones)[0];
            if (q.trim() && first) onChange(first);
          }}
        />
        <span id={`${id}-count`} class="muted" aria-live="polite">
          {query.trim() ? `${shown.length} match${shown.length === 1 ? "" : "es"}` : ""}
        </span>
      </div>
      <div class="field">
        <label for={id}>Time zone</label>
        <select id={id} value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
          {shown.map((z) => (
            <option value={z} key={z}>
              {friendlyZone(z)} ({z})
            </option>
          ))}
        </select>
      </div>
    </div>
  );
}
