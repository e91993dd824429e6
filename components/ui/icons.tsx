// A handful of 20px stroke icons, drawn inline so the UI needs no icon dependency or CDN.
type IconProps = { className?: string };
const base = "h-4 w-4 shrink-0";

function Svg({ children, className }: IconProps & { children: React.ReactNode }) {
  return (
    <svg viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={1.8} strokeLinecap="round" strokeLinejoin="round" className={className ?? base} aria-hidden>
      {children}
    </svg>
  );
}

export const Icons = {
  overview: (p: IconProps) => <Svg {...p}><path d="M3 13h8V3H3zM13 21h8V11h-8zM3 21h8v-6H3zM13 3v6h8V3z" /></Svg>,
  agents: (p: IconProps) => <Svg {...p}><rect x="4" y="8" width="16" height="12" rx="2" /><path d="M12 8V4M8 14h.01M16 14h.01M9 18h6" /></Svg>,
  policies: (p: IconProps) => <Svg {...p}><path d="M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z" /><path d="M9 12l2 2 4-4" /></Svg>,
  approvals: (p: IconProps) => <Svg {...p}><circle cx="12" cy="12" r="9" /><path d="M8 12l3 3 5-6" /></Svg>,
  usage: (p: IconProps) => <Svg {...p}><path d="M4 19a8 8 0 1116 0" /><path d="M12 19l4-6" /><path d="M4 21h16" /></Svg>,
  runs: (p: IconProps) => <Svg {...p}><path d="M4 6h16M4 12h10M4 18h6" /><circle cx="18" cy="16" r="3" /></Svg>,
  audit: (p: IconProps) => <Svg {...p}><path d="M14 3H6a2 2 0 00-2 2v14a2 2 0 002 2h12a2 2 0 002-2V9z" /><path d="M14 3v6h6M8 13h8M8 17h5" /></Svg>,
  settings: (p: IconProps) => <Svg {...p}><circle cx="12" cy="12" r="3" /><path d="M19.4 15a1.7 1.7 0 00.3 1.8l.1.1a2 2 0 11-2.8 2.8l-.1-.1a1.7 1.7 0 00-1.8-.3 1.7 1.7 0 00-1 1.5V21a2 2 0 11-4 0v-.1a1.7 1.7 0 00-1.1-1.5 1.7 1.7 0 00-1.8.3l-.1.1a2 2 0 11-2.8-2.8l.1-.1a1.7 1.7 0 00.3-1.8 1.7 1.7 0 00-1.5-1H3a2 2 0 110-4h.1a1.7 1.7 0 001.5-1.1 1.7 1.7 0 00-.3-1.8l-.1-.1a2 2 0 112.8-2.8l.1.1a1.7 1.7 0 001.8.3H9a1.7 1.7 0 001-1.5V3a2 2 0 114 0v.1a1.7 1.7 0 001 1.5 1.7 1.7 0 001.8-.3l.1-.1a2 2 0 112.8 2.8l-.1.1a1.7 1.7 0 00-.3 1.8V9a1.7 1.7 0 001.5 1H21a2 2 0 110 4h-.1a1.7 1.7 0 00-1.5 1z" /></Svg>,
  evidence: (p: IconProps) => <Svg {...p}><path d="M21 8v12a1 1 0 01-1 1H4a1 1 0 01-1-1V8" /><path d="M1 3h22v5H1zM10 12h4" /></Svg>,
  shield: (p: IconProps) => <Svg {...p}><path d="M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z" /></Svg>,
  check: (p: IconProps) => <Svg {...p}><path d="M5 12l5 5L20 7" /></Svg>,
  alert: (p: IconProps) => <Svg {...p}><path d="M12 9v4M12 17h.01" /><path d="M10.3 3.9L1.8 18a2 2 0 001.7 3h17a2 2 0 001.7-3L13.7 3.9a2 2 0 00-3.4 0z" /></Svg>,
  chevron: (p: IconProps) => <Svg {...p}><path d="M8 10l4 4 4-4" /></Svg>,
  users: (p: IconProps) => <Svg {...p}><circle cx="9" cy="8" r="3.5" /><path d="M2.5 20a6.5 6.5 0 0113 0M16 4.5a3.5 3.5 0 010 7M18 14c2 .6 3.5 2.8 3.5 6" /></Svg>,
};
