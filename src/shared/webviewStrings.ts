/**
 * Every user-visible English string of the edit panel's webview, by key. The host localizes each
 * value with vscode.l10n and sends the result in the `init` message's `strings`; the webview falls
 * back to these texts for any key the host did not send. `{0}`, `{1}` are filled in order.
 */
export const WEBVIEW_STRINGS = {
  'app.loading': 'Loading…',

  'input.label': 'Input image',
  'input.info': '{0} — {1} × {2} px',
  'input.alt': 'Input image {0}',

  'references.heading': 'Reference images',
  'references.none': 'No reference images.',
  'references.add': 'Add reference image…',
  'references.remove': 'Remove reference image {0}',
  'references.alt': 'Reference image {0}',

  'mask.hint': 'Paint over the area to change. Nothing painted: the whole image may change.',
  'mask.canvas': 'Mask painting area: paint over the part of the image to edit',
  'mask.brush': 'Brush',
  'mask.eraser': 'Eraser',
  'mask.tools': 'Mask tools',
  'mask.brushSize': 'Brush size',
  'mask.undo': 'Undo',
  'mask.clear': 'Clear',
  'mask.invert': 'Invert',
  'mask.fromFile': 'Mask from file…',
  'mask.loaded': 'Mask loaded from {0}.',
  'mask.sizeMismatch': 'The mask {0} is {1} × {2} px, but the image is {3} × {4} px. Pick a mask of the same size.',
  'mask.unreadable': 'The mask {0} could not be read as an image.',
  'mask.tooLarge': 'The mask is too large to send. Clear it, or paint a simpler one.',

  'prompt.label': 'Prompt',
  'prompt.placeholder': 'Describe the change, e.g. “replace the sky with a sunset”',
  'prompt.hint': 'Ctrl+Enter (⌘+Enter on macOS) runs the edit.',
  'prompt.empty': 'Enter a prompt to run the edit.',

  'options.numImages': 'Number of images',
  'options.outputFormat': 'Output format',
  'options.imageSize': 'Size',
  'options.quality': 'Quality',
  'format.png': 'PNG',
  'format.jpeg': 'JPEG',
  'format.webp': 'WebP',
  'size.auto': 'Auto (from the input)',
  'size.square_hd': 'Square HD (1024×1024)',
  'size.square': 'Square (512×512)',
  'size.portrait_4_3': 'Portrait 3:4 (768×1024)',
  'size.portrait_16_9': 'Portrait 9:16 (576×1024)',
  'size.landscape_4_3': 'Landscape 4:3 (1024×768)',
  'size.landscape_16_9': 'Landscape 16:9 (1024×576)',
  'quality.low': 'Low',
  'quality.medium': 'Medium',
  'quality.high': 'High',
  'private.label': 'Private',
  'private.note': 'Outputs come back inline, are not kept in Runflow’s history, and cannot be fetched again later.',
  'field.invalid': 'The service rejected this value.',

  'cost.estimate': 'Estimated cost: {0} ({1} × {2})',
  'cost.actual': 'Cost of the last run: {0}',
  'cost.unknown': 'The cost of the last run was not reported.',

  'run.label': 'Run',
  'run.cancel': 'Cancel',

  'phase.uploading': 'Uploading the images…',
  'phase.queued': 'Waiting in the queue…',
  'phase.dispatching': 'Starting the model…',
  'phase.running': 'Editing…',
  'phase.downloading': 'Downloading the results…',
  'phase.saving': 'Saving the results…',
  'status.starting': 'Starting the edit…',
  'status.elapsed': '{0} s',
  'status.done': 'Done: {0} image(s) saved.',

  'error.heading': 'The edit failed',
  'action.setApiKey': 'Set API Key…',
  'action.openBilling': 'Open Billing',
  'action.showLog': 'Show Log',
  'action.retry': 'Try Again',

  'results.heading': 'Results',
  'results.list': 'Results: choose one to compare',
  'results.alt': 'Result {0}: {1}',
  'results.missing': 'The model did not return {0} of the requested images.',
  'results.open': 'Open',
  'results.reveal': 'Reveal in Explorer',
  'results.edit': 'Edit this result',
  'compare.label': 'Before and after: drag or use the arrow keys to compare',
  'compare.slider': 'Compare position',
  'compare.before': 'Before',
  'compare.after': 'After',
} as const;

export type WebviewStringKey = keyof typeof WEBVIEW_STRINGS;
