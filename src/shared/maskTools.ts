/**
 * The mask editor's settings, declared once: the tools, the overlay's colours, the bounds, and
 * the zod schema the host keeps them under (they are part of the panel's state, like the paint).
 */
import * as z from 'zod/mini';

export const MASK_TOOLS = ['brush', 'eraser', 'rectangle', 'ellipse', 'lasso'] as const;
export type MaskTool = (typeof MASK_TOOLS)[number];

/** The overlay's colours: `theme` follows the colour theme (see panel.css), the others are fixed. */
export const OVERLAY_COLOURS = {
  theme: undefined,
  red: [230, 40, 40],
  green: [30, 170, 60],
  blue: [30, 100, 240],
  yellow: [240, 200, 0],
} as const satisfies Record<string, readonly [number, number, number] | undefined>;
export type OverlayColour = keyof typeof OVERLAY_COLOURS;

export const MAX_BRUSH_PX = 2048;
export const MAX_GROW_PX = 256;

export const MaskTools = z.object({
  tool: z.enum(MASK_TOOLS),
  /** Shapes take their area away instead of adding it. */
  subtract: z.boolean(),
  /** Brush diameter in natural pixels. */
  brushSize: z.int().check(z.minimum(1), z.maximum(MAX_BRUSH_PX)),
  /** 0–100: 100 a hard edge. */
  hardness: z.int().check(z.minimum(0), z.maximum(100)),
  /** The overlay's opacity, 10–90 %. */
  overlayOpacity: z.int().check(z.minimum(10), z.maximum(90)),
  overlayColour: z.enum(Object.keys(OVERLAY_COLOURS) as [OverlayColour, ...OverlayColour[]]),
});
export type MaskTools = z.infer<typeof MaskTools>;

/** The largest brush the slider and `]` offer for an image of this size: half its long side, at least 64 px. */
export function brushSizeLimit(width: number, height: number): number {
  return Math.min(MAX_BRUSH_PX, Math.max(64, Math.round(Math.max(width, height) / 2)));
}

/** The settings of a panel that has none yet; the brush is sized from the image. */
export function defaultMaskTools(width: number, height: number): MaskTools {
  return {
    tool: 'brush',
    subtract: false,
    brushSize: Math.min(MAX_BRUSH_PX, Math.max(4, Math.round(Math.max(width, height) / 8))),
    hardness: 100,
    overlayOpacity: 55,
    overlayColour: 'theme',
  };
}
