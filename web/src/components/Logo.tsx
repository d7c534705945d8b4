/** The wordmark: a play-button reel and the name. */
export function Logo({ size = 28 }: { size?: number }) {
  return (
    <span style={{ display: "inline-flex", alignItems: "center", gap: 8, fontWeight: 700, fontSize: size * 0.68, color: "#1d1b2f" }}>
      <svg width={size} height={size} viewBox="0 0 64 64" aria-hidden="true">
        <rect width="64" height="64" rx="14" fill="#5b3df5" />
        <path d="M24 18v28l22-14z" fill="#fff" />
      </svg>
      storyreel
    </span>
  );
}
