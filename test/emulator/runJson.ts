// The run object as the API returns it (create, GET /v1/runs/{id}, list items).
import type { RenderedImage } from './imageEdit';
import { billedImages, NODES_TOTAL, phaseOf, PRICE_PER_IMAGE_MILLS, type Run } from './runs';

export const MODEL_ID = 'openai/gpt-image-2/edit';

export interface RunJsonContext {
  baseUrl: string;
  /** A signed storage URL for one output (not used in sync mode). */
  outputUrl(run: Run, output: RenderedImage, index: number): string;
  /** A model input as a read of the run shows it: a `runflow://assets/{id}` reference as a freshly signed link. */
  inputUrl(url: string): string;
}

/** The run's input as reads show it: references to uploaded assets re-signed, as Runflow does. */
function shownInput(input: Record<string, unknown>, ctx: RunJsonContext): Record<string, unknown> {
  const show = (url: unknown) => (typeof url === 'string' ? ctx.inputUrl(url) : url);
  return {
    ...input,
    ...(Array.isArray(input.image_urls) ? { image_urls: input.image_urls.map(show) } : {}),
    ...(input.mask_url !== undefined ? { mask_url: show(input.mask_url) } : {}),
  };
}

export const outputFileName = (run: Run, output: RenderedImage, index: number): string => `${run.id.slice(0, 8)}-${index + 1}.${output.extension}`;

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

/** Decimal dollars as a string, "0" when nothing is billed. */
export function costString(images: number): string {
  return images === 0 ? '0' : ((images * PRICE_PER_IMAGE_MILLS) / 1000).toFixed(3);
}

/** The status literal a GET shows: the phase's, or a name a `run_statuses` fault put in its place. */
function reportedStatus(run: Run, phase: ReturnType<typeof phaseOf>): string {
  const names = run.statusNames;
  if (phase.terminalAt !== undefined) return names?.terminal ?? phase.status;
  return phase.status === 'running' ? (names?.inFlight ?? phase.status) : phase.status;
}

function outputEntries(run: Run, ctx: RunJsonContext): Array<Record<string, unknown> | null> {
  const { input } = run.request;
  const entries: Array<Record<string, unknown> | null> = run.outputs.map((img, i) => ({
    type: 'image',
    url: input.sync_mode ? `data:${img.contentType};base64,${img.data.toString('base64')}` : ctx.outputUrl(run, img, i),
    content_type: img.contentType,
    file_name: outputFileName(run, img, i),
    width: img.width,
    height: img.height,
  }));
  // An `unusable_outputs` fault: the first entry loses its URL and a null entry follows.
  if (run.unusableOutputs && entries[0]) entries[0] = { ...entries[0], url: null };
  if (run.unusableOutputs) entries.push(null);
  return entries;
}

export function runJson(run: Run, ctx: RunJsonContext, now = Date.now()): Record<string, unknown> {
  const phase = phaseOf(run, now);
  const terminal = phase.terminalAt !== undefined;
  const delivers = terminal && (run.outcome === 'succeeded' || run.outcome === 'partial_succeeded');
  const output = delivers
    ? {
        outputs: outputEntries(run, ctx),
        seed: run.seed,
        timing: { inference_ms: run.modelTimeMs },
        nsfw_detected: run.nsfwDetected === true,
      }
    : null;
  const failure = terminal && run.outcome === 'failed' ? run.failure : undefined;
  return {
    id: run.id,
    model_id: MODEL_ID,
    status_code: reportedStatus(run, phase),
    input: shownInput(run.request.echoedInput, ctx),
    output,
    metadata: run.request.metadata,
    client_ref: run.request.clientRef,
    callback_url: run.request.callbackUrl,
    created_at: iso(run.createdAt),
    started_at: iso(phase.startedAt),
    completed_at: iso(phase.terminalAt),
    duration_ms: phase.terminalAt === undefined ? null : phase.terminalAt - run.createdAt,
    cost: costString(billedImages(run, phase)),
    nodes_total: NODES_TOTAL,
    nodes_completed: phase.nodesCompleted,
    failure_code: failure?.code ?? null,
    failure_message: failure?.message ?? null,
    failure_stage_code: failure ? (failure.stage ?? 'inference') : null,
    links: { self: `${ctx.baseUrl}/v1/runs/${run.id}` },
    // Fields the client does not know about: it must ignore them.
    queue_position: phase.status === 'queued' ? 1 : null,
    region: 'emulator-local-1',
  };
}
