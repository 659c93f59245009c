/** Friendly names for IANA time zones, from Intl alone (no zone database shipped). */

// Browsers list some zones under their old CLDR ids; people search the current names.
const RENAMED: Record<string, string> = {
  Calcutta: "Kolkata",
  Saigon: "Ho Chi Minh",
  Kiev: "Kyiv",
  Katmandu: "Kathmandu",
  Rangoon: "Yangon",
  Godthab: "Nuuk",
  Asmera: "Asmara",
  Faeroe: "Faroe",
};

/** "America/Argentina/Buenos_Aires" -> "Buenos Aires"; "Asia/Calcutta" -> "Kolkata". */
export function zoneCity(zone: string): string {
  const city = zone.split("/").pop() ?? zone;
  return (RENAMED[city] ?? city).replace(/_/g, " ");
}

/** The zone's own long name at `at` ("Eastern Standard Time"), or its offset when Intl has none. */
const longNames = new Map<string, Intl.DateTimeFormat>();

export function zoneLongName(zone: string, at: number = Date.now()): string {
  try {
    // One formatter per zone: the picker lists ~430 zones and searches them on every key.
    let format = longNames.get(zone);
    if (!format) {
      format = new Intl.DateTimeFormat(undefined, { timeZone: zone, timeZoneName: "long" });
      longNames.set(zone, format);
    }
    const part = format
      .formatToParts(at)
      .find((p) => p.type === "timeZoneName");
    return part?.value ?? zone;
  } catch {
    return zone;
  }
}

/** "New York — Eastern Standard Time": what a person recognises, not the IANA id. */
export function friendlyZone(zone: string, at?: number): string {
  if (zone === "UTC" || zone === "Etc/UTC") return "UTC";
  return `${zoneCity(zone)} — ${zoneLongName(zone, at)}`;
}

export function allZones(): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: string) => string[] };
  try {
    const list = intl.supportedValuesOf?.("timeZone");
    if (list?.length) {
      const device = Intl.DateTimeFormat().resolvedOptions().timeZone;
      // A Set: the device's zone is often "UTC" itself, which must not be listed twice.
      return [...new Set([...list, "UTC", device].filter(Boolean))];
    }
  } catch {
    /* older browsers: only the device's zone and UTC */
  }
  return [Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC", "UTC"];
}

/**
 * Zones matching `query` in their id, city or long name ("eastern", "paris", "gmt+1"),
 * case- and accent-insensitive; every word of the query must match.
 */
export function searchZones(query: string, zones: string[] = allZones(), at?: number): string[] {
  const fold = (s: string) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (!words.length) return zones;
  return zones.filter((z) => {
    const hay = fold(`${z.replace(/_/g, " ")} ${zoneCity(z)} ${zoneLongName(z, at)}`);
    return words.every((w) => hay.includes(w));
  });
}
