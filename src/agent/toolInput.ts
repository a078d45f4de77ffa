/**
 * What an agent passes to the edit-image tool, as a zod schema: the tool validates every input
 * with it, and `package.json`'s `inputSchema` is generated from it (`npm run manifest`; a unit
 * test fails when the two differ).
 */
import * as z from 'zod/mini';
import { OPTION_TABLE, optionEntries, type EditOptions, type OptionTable } from '../shared/options';
import { MAX_PROMPT_LENGTH, domainSchema } from '../shared/messageParts';

/** A box in the image's pixels, from its top-left corner. */
const PixelBox = z.object({
  x: z.number().check(z.describe("Left edge, in the image's pixels from the left.")),
  y: z.number().check(z.describe("Top edge, in the image's pixels from the top.")),
  width: z.number().check(z.positive(), z.describe('Width in pixels.')),
  height: z.number().check(z.positive(), z.describe('Height in pixels.')),
});

export const MAX_MASK_SHAPES = 50;
export const MAX_TOOL_REFERENCES = 8;

/** The options an agent may set, each under its tool field (OPTION_TABLE's `agent`), all optional. */
function agentOptionFields(): Record<string, z.ZodMiniOptional<z.ZodMiniType<string | number | boolean>>> {
  const fields: Record<string, z.ZodMiniOptional<z.ZodMiniType<string | number | boolean>>> = {};
  for (const [, { agent, domain }] of optionEntries<OptionTable>(OPTION_TABLE)) {
    if (agent === null) continue;
    fields[agent.field] = z.optional(agent.description ? domainSchema(domain).check(z.describe(agent.description)) : domainSchema(domain));
  }
  return fields;
}

/** The options `input` sets, by option name. */
export function agentOptions(input: EditImageInput): Partial<EditOptions> {
  const options: Record<string, unknown> = {};
  for (const [name, d] of optionEntries(OPTION_TABLE)) {
    const value = d.agent === null ? undefined : (input as Record<string, unknown>)[d.agent.field];
    if (value !== undefined) options[name] = value;
  }
  return options as Partial<EditOptions>;
}

const RequestFields = z.object({
  image: z
    .string()
    .check(
      z.minLength(1),
      z.describe('The image to edit: a path relative to the workspace folder (e.g. "assets/hero.png") or a file URI. PNG, JPEG or WebP, up to 50 MiB.'),
    ),
  prompt: z.string().check(z.maxLength(MAX_PROMPT_LENGTH), z.describe('How to change the image, in plain words (e.g. "replace the sky with a sunset").')),
  referenceImages: z.optional(
    z
      .array(z.string())
      .check(z.maxLength(MAX_TOOL_REFERENCES), z.describe('Other images the model should look at (style, objects), as workspace-relative paths or file URIs.')),
  ),
  mask: z.optional(
    z
      .object({
        rectangles: z.optional(z.array(PixelBox).check(z.maxLength(MAX_MASK_SHAPES), z.describe("Rectangles to edit, in the image's pixels."))),
        ellipses: z.optional(
          z.array(PixelBox).check(z.maxLength(MAX_MASK_SHAPES), z.describe("Ellipses to edit, each given by its bounding box in the image's pixels.")),
        ),
        file: z.optional(
          z
            .string()
            .check(
              z.describe(
                'A mask image (workspace-relative path or file URI): transparent, or white on black, where the image may change. Scaled to the image if its size differs.',
              ),
            ),
        ),
      })
      .check(
        z.describe(
          "Where the image may change. Without a mask the whole image may change. Pixels outside the mask stay exactly the original's (unless keepUnmaskedExact is false).",
        ),
      ),
  ),
});

/** The options an agent may set, typed: each under its tool field, of its option's type. */
type AgentOptionFields = {
  [K in keyof typeof OPTION_TABLE as (typeof OPTION_TABLE)[K]['agent'] extends { field: infer F extends string } ? F : never]?: EditOptions[K];
};

export const EditImageInput = z.extend(RequestFields, agentOptionFields()) as unknown as z.ZodMiniType<z.infer<typeof RequestFields> & AgentOptionFields>;
export type EditImageInput = z.infer<typeof EditImageInput>;

/** The JSON schema `package.json` declares for the tool. */
export function editImageInputSchema(): object {
  const schema = z.toJSONSchema(EditImageInput) as Record<string, unknown>;
  delete schema.$schema;
  return schema;
}
