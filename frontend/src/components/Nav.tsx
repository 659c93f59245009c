const ITEMS: { href: string; label: string; icon: string }[] = [
  { href: "/", label: "Today", icon: "◷" },
  { href: "/care-plan", label: "Care plan", icon: "♡" },
  { href: "/auto-reply", label: "Replies", icon: "✉" },
  { href: "/wellbeing", label: "Well-being", icon: "☼" },
  { href: "/settings", label: "Settings", icon: "⚙" },
];

export function Nav({ path }: { path: string }) {
  return (
    <nav class="tabbar" aria-label="Main">
      {ITEMS.map((item) => {
        const current = item.href === "/" ? path === "/" : path.startsWith(item.href);
        return (
          <a href={item.href} aria-current={current ? "page" : undefined} key={item.href}>
            <span aria-hidden="true" class="tab-icon">
              {item.icon}
            </span>
            <span class="tab-label">{item.label}</span>
          </a>
        );
      })}
    </nav>
  );
}
