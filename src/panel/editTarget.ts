import * as vscode from 'vscode';

const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'webp'];
const IMAGE_PREVIEW_VIEW_TYPE = 'imagePreview.previewEditor';

export function isImageFile(uri: vscode.Uri): boolean {
  const ext = uri.path.slice(uri.path.lastIndexOf('.') + 1).toLowerCase();
  return IMAGE_EXTENSIONS.includes(ext);
}

/**
 * Which image to edit, from how the command was invoked: the explorer passes the right-clicked
 * file and the selection (the others become reference images); the image preview's title button
 * passes its file; its webview context menu and the palette pass nothing, so the active image
 * preview is used, else the user picks an image of the workspace.
 */
export async function resolveEditTarget(arg: unknown, selection: unknown): Promise<{ image: vscode.Uri; references: vscode.Uri[] } | undefined> {
  if (arg instanceof vscode.Uri) {
    const selected = Array.isArray(selection) ? selection.filter((u): u is vscode.Uri => u instanceof vscode.Uri) : [];
    const references = selected.filter((u) => isImageFile(u) && u.toString() !== arg.toString());
    return { image: arg, references };
  }
  const active = activeImagePreview();
  if (active) return { image: active, references: [] };
  const picked = await pickWorkspaceImage();
  return picked ? { image: picked, references: [] } : undefined;
}

function activeImagePreview(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputCustom && input.viewType === IMAGE_PREVIEW_VIEW_TYPE ? input.uri : undefined;
}

async function pickWorkspaceImage(): Promise<vscode.Uri | undefined> {
  const files = await vscode.workspace.findFiles('**/*.{png,jpg,jpeg,webp,PNG,JPG,JPEG,WEBP}', '**/node_modules/**', 2000);
  if (files.length === 0) {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: { [vscode.l10n.t('Images')]: IMAGE_EXTENSIONS },
      openLabel: vscode.l10n.t('Edit Image'),
    });
    return picked?.[0];
  }
  const items = files.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })).sort((a, b) => a.label.localeCompare(b.label));
  const choice = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('Edit Image with GPT Image 2'),
    placeHolder: vscode.l10n.t('Pick an image of the workspace'),
    matchOnDescription: true,
  });
  return choice?.uri;
}

/**
 * The images of "Edit Each Image…": the explorer's selection (the right-clicked file alone when
 * nothing else is selected), keeping only PNG/JPEG/WebP files; from the palette, the user picks them.
 */
export async function resolveBatchTargets(arg: unknown, selection: unknown): Promise<vscode.Uri[] | undefined> {
  const given = Array.isArray(selection) && selection.length > 0 ? selection : arg instanceof vscode.Uri ? [arg] : [];
  const uris = given.filter((u): u is vscode.Uri => u instanceof vscode.Uri);
  if (uris.length > 0) return uris.filter(isImageFile);
  return vscode.window.showOpenDialog({
    canSelectMany: true,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    filters: { [vscode.l10n.t('Images')]: IMAGE_EXTENSIONS },
    openLabel: vscode.l10n.t('Edit Each Image'),
  });
}
