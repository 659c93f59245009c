/** A small SVG chart (no library): lines for series, optional bars, accessible table fallback. */

export interface Series {
  label: string;
  values: (number | null)[];
  className: string;
  type?: "line" | "bar";
}

interface Props {
  title: string;
  labels: string[];
  series: Series[];
  max?: number;
}

const W = 320;
const H = 140;
const PAD = 24;

export function LineChart({ title, labels, series, max }: Props) {
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const top = max ?? Math.max(1, ...all);
  const n = Math.max(labels.length, 1);
  const band = (W - 2 * PAD) / n; // each day owns a band; points and bar groups sit in its middle
  const x = (i: number) => PAD + (i + 0.5) * band;
  const y = (v: number) => H - PAD - (v / top) * (H - 2 * PAD);
  const bars = series.filter((s) => s.type === "bar").length || 1;
  const barWidth = Math.max(2, Math.min(14, (band * 0.8) / bars));
  const barOrder = series.filter((s) => s.type === "bar");
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={title}>
        <line x1={PAD} y1={H - PAD} x2={W - PAD} y2={H - PAD} class="axis" />
        <text x={2} y={y(top) + 4} class="tick">
          {top}
        </text>
        <text x={2} y={H - PAD + 4} class="tick">
          0
        </text>
        {labels.map((label, i) =>
          i === 0 || i === labels.length - 1 || (labels.length > 8 && i === Math.floor(labels.length / 2)) ? (
            <text x={x(i)} y={H - 8} class="tick" text-anchor="middle" key={`l${i}`}>
              {label}
            </text>
          ) : null,
        )}
        {/* Drawn last-first so the first series (the main one) sits on top. */}
        {[...series].reverse().map((s) => {
          if (s.type === "bar") {
            const offset = barOrder.indexOf(s) * barWidth - (bars * barWidth) / 2;
            return (
              <g class={s.className} key={s.label}>
                {s.values.map((v, i) =>
                  v === null ? null : (
                    <rect x={x(i) + offset} y={y(v)} width={barWidth} height={H - PAD - y(v)} key={i} />
                  ),
                )}
              </g>
            );
          }
          // Gaps (days without a check-in) break the line instead of inventing values.
          let d = "";
          let pen = false;
          s.values.forEach((v, i) => {
            if (v === null) {
              pen = false;
              return;
            }
            d += `${pen ? "L" : "M"}${x(i).toFixed(1)} ${y(v).toFixed(1)}`;
            pen = true;
          });
          return (
            <g class={s.className} key={s.label}>
              <path d={d} fill="none" />
              {s.values.map((v, i) => (v === null ? null : <circle cx={x(i)} cy={y(v)} r={2.5} key={i} />))}
            </g>
          );
        })}
      </svg>
      <ul class="legend">
        {series.map((s) => (
          <li class={s.className} key={s.label}>
            {s.label}
          </li>
        ))}
      </ul>
    </figure>
  );
}
