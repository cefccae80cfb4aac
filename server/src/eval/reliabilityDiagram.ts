// A reliability diagram as a PNG: for each confidence bin, a bar as high as the share of its predictions that were
// right, a red tick at the bin's mean confidence, and the diagonal a perfectly calibrated model would follow. Drawn
// into an RGB pixel buffer with a built-in 5x7 font (digits and the few capitals of its labels) and encoded with
// Node's zlib, so no image library is needed.
import { crc32, deflateSync } from 'node:zlib';
import type { CalibrationReport } from './calibration';

const SIZE = 520;
const MARGIN = { left: 70, right: 20, top: 50, bottom: 70 };
type Rgb = [number, number, number];
const WHITE: Rgb = [255, 255, 255];
const BLACK: Rgb = [0, 0, 0];
const GREY: Rgb = [150, 150, 150];
const BAR: Rgb = [70, 110, 190];
const GAP: Rgb = [210, 60, 50];

// Rows of 5 bits, top to bottom.
const FONT: Record<string, number[]> = {
  '0': [14, 17, 19, 21, 25, 17, 14], '1': [4, 12, 4, 4, 4, 4, 14], '2': [14, 17, 1, 2, 4, 8, 31],
  '3': [31, 2, 4, 2, 1, 17, 14], '4': [2, 6, 10, 18, 31, 2, 2], '5': [31, 16, 30, 1, 1, 17, 14],
  '6': [6, 8, 16, 30, 17, 17, 14], '7': [31, 1, 2, 4, 8, 8, 8], '8': [14, 17, 17, 14, 17, 17, 14],
  '9': [14, 17, 17, 15, 1, 2, 12], '.': [0, 0, 0, 0, 0, 12, 12], ' ': [0, 0, 0, 0, 0, 0, 0],
  '=': [0, 0, 31, 0, 31, 0, 0], '%': [24, 25, 2, 4, 8, 19, 3], '>': [8, 4, 2, 1, 2, 4, 8],
  A: [14, 17, 17, 31, 17, 17, 17], C: [14, 17, 16, 16, 16, 17, 14], D: [28, 18, 17, 17, 17, 18, 28],
  E: [31, 16, 16, 30, 16, 16, 31], F: [31, 16, 16, 30, 16, 16, 16], I: [14, 4, 4, 4, 4, 4, 14],
  N: [17, 25, 21, 19, 17, 17, 17], O: [14, 17, 17, 17, 17, 17, 14], P: [30, 17, 17, 30, 16, 16, 16],
  R: [30, 17, 17, 30, 20, 18, 17], S: [15, 16, 16, 14, 1, 1, 30], T: [31, 4, 4, 4, 4, 4, 4],
  U: [17, 17, 17, 17, 17, 17, 14], Y: [17, 17, 10, 4, 4, 4, 4],
};

class Canvas {
  readonly pixels = Buffer.alloc(SIZE * SIZE * 3, 255);

  fill(x0: number, y0: number, x1: number, y1: number, color: Rgb): void {
    for (let y = Math.max(0, Math.round(y0)); y < Math.min(SIZE, Math.round(y1)); y++) {
      for (let x = Math.max(0, Math.round(x0)); x < Math.min(SIZE, Math.round(x1)); x++) this.pixels.set(color, (y * SIZE + x) * 3);
    }
  }

  line(x0: number, y0: number, x1: number, y1: number, color: Rgb, width = 1): void {
    const steps = Math.ceil(Math.max(Math.abs(x1 - x0), Math.abs(y1 - y0))) + 1;
    for (let k = 0; k <= steps; k++) {
      const x = x0 + ((x1 - x0) * k) / steps;
      const y = y0 + ((y1 - y0) * k) / steps;
      this.fill(x - width / 2, y - width / 2, x + width / 2, y + width / 2, color);
    }
  }

  /** Text of FONT characters (others are skipped), scale pixels per font dot; anchored at its left or centre. */
  text(s: string, x: number, y: number, scale = 2, centre = false): void {
    const width = s.length * 6 * scale;
    let left = centre ? x - width / 2 : x;
    for (const ch of s.toUpperCase()) {
      const rows = FONT[ch];
      rows?.forEach((bits, r) => {
        for (let c = 0; c < 5; c++) if (bits & (1 << (4 - c))) this.fill(left + c * scale, y + r * scale, left + (c + 1) * scale, y + (r + 1) * scale, BLACK);
      });
      left += 6 * scale;
    }
  }

  png(): Buffer {
    const chunk = (type: string, data: Buffer) => {
      const length = Buffer.alloc(4);
      length.writeUInt32BE(data.length);
      const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32(body) >>> 0);
      return Buffer.concat([length, body, crc]);
    };
    const header = Buffer.alloc(13);
    header.writeUInt32BE(SIZE, 0);
    header.writeUInt32BE(SIZE, 4);
    header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB, no interlace
    // Each scanline starts with its filter type (0: none).
    const raw = Buffer.alloc(SIZE * (SIZE * 3 + 1));
    for (let y = 0; y < SIZE; y++) this.pixels.copy(raw, y * (SIZE * 3 + 1) + 1, y * SIZE * 3, (y + 1) * SIZE * 3);
    return Buffer.concat([
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      chunk('IHDR', header),
      chunk('IDAT', deflateSync(raw)),
      chunk('IEND', Buffer.alloc(0)),
    ]);
  }
}

/** The reliability diagram of a calibration report, as PNG bytes. */
export function reliabilityDiagramPng(report: CalibrationReport): Buffer {
  const canvas = new Canvas();
  const plot = { x0: MARGIN.left, y0: MARGIN.top, x1: SIZE - MARGIN.right, y1: SIZE - MARGIN.bottom };
  const px = (v: number) => plot.x0 + v * (plot.x1 - plot.x0);
  const py = (v: number) => plot.y1 - v * (plot.y1 - plot.y0);
  for (const bin of report.bins) {
    if (bin.count === 0) continue;
    canvas.fill(px(bin.low) + 2, py(bin.accuracy), px(bin.high) - 2, py(0), BAR);
    canvas.fill(px(bin.low) + 2, py(bin.meanConfidence) - 2, px(bin.high) - 2, py(bin.meanConfidence) + 2, GAP);
  }
  canvas.line(px(0), py(0), px(1), py(1), GREY);
  canvas.line(plot.x0, plot.y1, plot.x1, plot.y1, BLACK, 2);
  canvas.line(plot.x0, plot.y0, plot.x0, plot.y1, BLACK, 2);
  for (let k = 0; k <= 10; k += 2) {
    const v = k / 10;
    const label = k === 10 ? '1' : k === 0 ? '0' : `.${k}`;
    canvas.line(px(v), plot.y1, px(v), plot.y1 + 6, BLACK, 2);
    canvas.text(label, px(v), plot.y1 + 12, 2, true);
    canvas.line(plot.x0 - 6, py(v), plot.x0, py(v), BLACK, 2);
    canvas.text(label, plot.x0 - 12 - label.length * 12, py(v) - 7);
  }
  canvas.text('CONFIDENCE', (plot.x0 + plot.x1) / 2, SIZE - 32, 2, true);
  canvas.text('ACCURACY', 8, plot.y0 - 30);
  const fp = (100 * report.confidentFalsePositiveShare).toFixed(1);
  canvas.text(`ECE ${report.ece.toFixed(3)}  N ${report.predictions}  FP>.95 ${fp}%`, (plot.x0 + plot.x1) / 2 + 20, 14, 2, true);
  return canvas.png();
}
