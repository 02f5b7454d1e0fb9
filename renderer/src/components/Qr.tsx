import { useMemo } from 'react';
import { qrMatrix } from '../../../shared/qr';

/** A QR code of a short text (a fingerprint), drawn as SVG with its quiet zone. */
export function QrCode({ text, label, size = 160 }: { text: string; label: string; size?: number }) {
  const matrix = useMemo(() => qrMatrix(text), [text]);
  const n = matrix.length + 8;
  const path = matrix.flatMap((row, r) => row.map((on, c) => (on ? `M${c + 4},${r + 4}h1v1h-1z` : ''))).join('');
  return (
    <svg role="img" aria-label={label} width={size} height={size} viewBox={`0 0 ${n} ${n}`} shapeRendering="crispEdges" className="qr">
      <rect width={n} height={n} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}
